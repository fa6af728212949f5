-- Lifecycle (README "Data lifecycle"): cleanup finds expired rows by user range without scanning
-- the live ones. Claimed one-time keys (tombstones) are kept for limits.claimed_key_retention,
-- audit rows for audit.retention.
CREATE INDEX one_time_keys_claimed ON one_time_keys (user_id, claimed_ts) WHERE claimed_ts IS NOT NULL;
CREATE INDEX audit_log_user_ts ON audit_log (user_id, ts);
CREATE INDEX peer_signing_keys_valid_until ON peer_signing_keys (valid_until_ts);
