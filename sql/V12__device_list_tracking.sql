-- Host mode, /sync pass-through (issue 15): which users each local user's devices asked about through
-- POST /keys/query. A change in the device-list stream is reported in the /sync of every local user who
-- tracks the changed user (and of the user themself). Written before the query reads any key, so a
-- change that the query did not see is always reported by a later sync.
-- Lifecycle: one row per (user, queried user) pair, refreshed by later queries; a user's rows go when
-- their last device is deleted (host or admin delete). Rows are never expired by age: a client that
-- tracks a user re-queries only when told of a change, so an aged-out row would hide the next one.
CREATE TABLE device_list_tracking (
    user_id          text   NOT NULL,
    tracked_user_id  text   NOT NULL,
    since_ts         bigint NOT NULL,
    PRIMARY KEY (user_id, tracked_user_id)
);
