-- Cross-signing (client-server spec "Cross-signing"): a user's master, self-signing and
-- user-signing public keys, each exactly as uploaded by /keys/device_signing/upload (an identical
-- re-upload is compared with this text; signatures uploaded later by others live elsewhere).
-- Lifecycle: one row per user and usage, replaced on an approved replacement, deleted with the user's
-- cross-signing identity (admin action).
CREATE TABLE cross_signing_keys (
    user_id      text   NOT NULL,
    usage        text   NOT NULL CHECK (usage IN ('master', 'self_signing', 'user_signing')),
    public_key   text   NOT NULL,      -- unpadded base64 ed25519
    key_json     text   NOT NULL,
    uploaded_ts  bigint NOT NULL,
    PRIMARY KEY (user_id, usage)
);
