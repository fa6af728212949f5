-- Signatures uploaded by POST /keys/signatures/upload, kept apart from the signed objects (which
-- stay exactly as uploaded): a self-signing key's signature on a device, a device's signature on
-- its user's master key, a user-signing key's signature on another user's master key.
-- Lifecycle: grows with verifications; rows of a device go with the device, rows on a master key
-- with a replaced or deleted identity.
CREATE TABLE key_signatures (
    user_id         text   NOT NULL,   -- owner of the signed key
    target_key_id   text   NOT NULL,   -- a device id, or a cross-signing public key
    signer_user_id  text   NOT NULL,
    signer_key_id   text   NOT NULL,   -- "ed25519:<device id or public key>"
    signature       text   NOT NULL,
    created_ts      bigint NOT NULL,
    PRIMARY KEY (user_id, target_key_id, signer_user_id, signer_key_id)
);
