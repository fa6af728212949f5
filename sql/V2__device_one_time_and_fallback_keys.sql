-- keydir schema, part 2: the keys themselves. Every table leads its primary key with user_id.

-- A device's identity keys (spec "Device keys"), as the JSON text the client sent.
CREATE TABLE device_keys (
    user_id      text   NOT NULL,
    device_id    text   NOT NULL,
    key_json     text   NOT NULL,
    ed25519      text   NOT NULL,   -- keys["ed25519:<device_id>"], never changes for a device
    curve25519   text   NOT NULL,   -- keys["curve25519:<device_id>"], never changes for a device
    uploaded_ts  bigint NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- One row per one-time key id a device ever uploaded. A claim does not delete the row: it sets
-- claimed_ts and drops the key material, leaving a tombstone, so a claimed id can never be stored
-- (and handed out) again, whatever a client re-uploads (matrix-org/matrix-spec#1124).
-- Claim order is upload order: upload_seq (one value per upload, from a sequence; uploads of one
-- device are serialised on its devices row) then upload_pos (position within that upload).
CREATE SEQUENCE one_time_key_upload_seq;
CREATE TABLE one_time_keys (
    user_id      text    NOT NULL,
    device_id    text    NOT NULL,
    algorithm    text    NOT NULL,
    key_id       text    NOT NULL,  -- the part after "<algorithm>:"
    key_json     text,              -- NULL once claimed
    uploaded_ts  bigint  NOT NULL,
    upload_seq   bigint  NOT NULL,
    upload_pos   integer NOT NULL,
    claimed_ts   bigint,            -- NULL while the key is available
    PRIMARY KEY (user_id, device_id, algorithm, key_id)
);
CREATE INDEX one_time_keys_available ON one_time_keys (user_id, device_id, algorithm, upload_seq, upload_pos)
    WHERE claimed_ts IS NULL;

-- MSC2732: at most one fallback key per device and algorithm; claims mark it used, never delete it.
CREATE TABLE fallback_keys (
    user_id      text    NOT NULL,
    device_id    text    NOT NULL,
    algorithm    text    NOT NULL,
    key_id       text    NOT NULL,
    key_json     text    NOT NULL,
    used         boolean NOT NULL DEFAULT false,
    uploaded_ts  bigint  NOT NULL,
    PRIMARY KEY (user_id, device_id, algorithm)
);
