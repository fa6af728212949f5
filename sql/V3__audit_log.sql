-- keydir schema, part 3: the audit log of every admin action and every key reset.
-- Rows are written in the same transaction as the change they describe.
CREATE TABLE audit_log (
    user_id    text      NOT NULL,           -- the user acted upon
    id         bigserial NOT NULL,
    ts         bigint    NOT NULL,
    actor      text      NOT NULL,           -- "admin-api", "cli:<os user>", or the client "<user_id>/<device_id>"
    action     text      NOT NULL,           -- e.g. device.create, keys.reset, device.delete
    device_id  text,
    details    text      NOT NULL,           -- JSON: what changed
    PRIMARY KEY (user_id, id)
);
CREATE INDEX audit_log_by_id ON audit_log (id);
