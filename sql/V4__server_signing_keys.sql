-- keydir schema, part 4: the homeserver's own ed25519 signing keys (not per-user data).
-- state: pending -> active -> expired -> (row deleted); revoked is terminal until deleted.
CREATE TABLE server_signing_keys (
    key_id          text   NOT NULL PRIMARY KEY,   -- "ed25519:<version>"
    state           text   NOT NULL CHECK (state IN ('pending', 'active', 'expired', 'revoked')),
    public_key      text   NOT NULL,               -- unpadded base64
    sealed_seed     bytea  NOT NULL,               -- AES-256-GCM(seed), associated data = key_id
    created_ts      bigint NOT NULL,               -- published (pending) since
    activated_ts    bigint,
    expired_ts      bigint,
    revoked_ts      bigint,
    early           boolean NOT NULL DEFAULT false   -- an operator asked to activate it as soon as safe
);
-- At most one active key, enforced by the database too.
CREATE UNIQUE INDEX server_signing_keys_one_active ON server_signing_keys ((state)) WHERE state = 'active';
