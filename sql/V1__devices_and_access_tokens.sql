-- keydir schema, part 1: devices and their access tokens.
-- Per-user tables lead their primary key with user_id so the schema can be sharded by user (Citus).

CREATE TABLE devices (
    user_id      text   NOT NULL,
    device_id    text   NOT NULL,
    display_name text,
    created_ts   bigint NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- Looked up by the token's hash on every request, so keyed by it. Holds no key material: on Citus
-- it stays a plain (coordinator-local or reference) table; see README "Sharding".
CREATE TABLE access_tokens (
    token_hash  bytea  NOT NULL PRIMARY KEY,
    user_id     text   NOT NULL,
    device_id   text   NOT NULL,
    created_ts  bigint NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);
