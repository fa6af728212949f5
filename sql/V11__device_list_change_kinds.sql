-- Host mode (issue 14): the device-list stream says what changed, so a host can turn an entry into the
-- right federation EDU (m.device_list_update for a device, m.signing_key_update for cross-signing keys).
-- Rows written before this migration were all of kind 'device' with no device named (a host treats an
-- entry without device_id as "re-read all of the user's devices").
ALTER TABLE device_list_changes ADD COLUMN kind text NOT NULL DEFAULT 'device';
ALTER TABLE device_list_changes ADD COLUMN device_id text;
