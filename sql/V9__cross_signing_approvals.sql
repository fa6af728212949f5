-- An operator's approval for replacing one user's cross-signing identity: open until expires_ts,
-- closed by the replacement it allowed. Lifecycle: at most one row per user; deleted when used, or
-- (audited as expired) by the retention cleanup once past expires_ts.
CREATE TABLE cross_signing_approvals (
    user_id     text   NOT NULL PRIMARY KEY,
    expires_ts  bigint NOT NULL,
    opened_by   text   NOT NULL,
    opened_ts   bigint NOT NULL
);
