-- One ordered stream of device-list changes per server (issue 13): every change other devices must
-- learn about (device keys, a deleted device, cross-signing keys, an uploaded signature) takes one
-- position, written in the change's transaction; GET /keys/changes reads ranges of it.
-- Lifecycle: one row per change; rows older than 30 days are deleted by the retention cleanup
-- (a client whose token is older does a full device-list resync, as after any long absence).
CREATE TABLE device_list_changes (
    user_id     text   NOT NULL,
    stream_id   bigint NOT NULL,
    changed_ts  bigint NOT NULL,
    PRIMARY KEY (user_id, stream_id)
);
CREATE INDEX device_list_changes_by_position ON device_list_changes (stream_id);
CREATE INDEX device_list_changes_by_time ON device_list_changes (changed_ts);
