-- Host mode (issue 15): remote servers learn of our users' key changes from keydir itself.
-- Which remote servers asked about each local user (federation user/keys/query, user/devices,
-- user/keys/claim). Written before the request reads any key. Lifecycle: one row per (user, server)
-- pair, refreshed by later requests; a user's rows go when their last device is deleted (a server
-- that stays in a room with the user may never ask again, so rows are not aged out).
CREATE TABLE federation_interest (
    user_id        text   NOT NULL,
    server_name    text   NOT NULL,
    last_asked_ts  bigint NOT NULL,
    PRIMARY KEY (user_id, server_name)
);

-- The durable outbox: one row per (destination, change), written in the change's transaction (with
-- its device-list stream entry). The EDU is built when it is sent (the keys as they are then).
-- Lifecycle: deleted once the destination accepted the transaction carrying it; rows older than
-- federation.outbox_retention (undeliverable for that long) are dropped by the sender.
CREATE SEQUENCE federation_outbox_seq;
CREATE TABLE federation_outbox (
    destination  text   NOT NULL,
    seq          bigint NOT NULL DEFAULT nextval('federation_outbox_seq'),
    user_id      text   NOT NULL,
    stream_id    bigint NOT NULL,
    device_id    text,
    kind         text   NOT NULL,
    created_ts   bigint NOT NULL,
    PRIMARY KEY (destination, seq)
);
CREATE INDEX federation_outbox_by_age ON federation_outbox (created_ts);

-- Per destination: which replica sends to it now (a lease), when it may be tried again, failures in a
-- row, and per user the stream id last delivered (the next EDU's prev_id). Lifecycle: one row per
-- destination that ever had mail / per (destination, user) delivered; bounded by federation_interest.
CREATE TABLE federation_destinations (
    destination   text    PRIMARY KEY,
    lease_owner   text,
    lease_until   bigint  NOT NULL DEFAULT 0,
    retry_at      bigint  NOT NULL DEFAULT 0,
    failures      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE TABLE federation_sent_heads (
    destination  text   NOT NULL,
    user_id      text   NOT NULL,
    stream_id    bigint NOT NULL,
    PRIMARY KEY (destination, user_id)
);
