-- keydir schema, part 5: federation.

-- Peers' published verify keys, shared by all replicas (server-server spec "Retrieving server keys").
CREATE TABLE peer_signing_keys (
    server_name     text   NOT NULL,
    key_id          text   NOT NULL,
    public_key      text   NOT NULL,
    valid_until_ts  bigint NOT NULL,   -- min(valid_until_ts, fetched + 7 days): never trusted past it
    fetched_ts      bigint NOT NULL,
    PRIMARY KEY (server_name, key_id)
);

-- Device-list change position per user: bumped whenever the user's devices or device keys change
-- (the stream_id of GET /_matrix/federation/v1/user/devices, and for the host homeserver).
CREATE TABLE device_list_positions (
    user_id    text   NOT NULL PRIMARY KEY,
    stream_id  bigint NOT NULL
);
CREATE SEQUENCE device_list_stream;
