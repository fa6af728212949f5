package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the {@code devices} table. */
public final class DeviceStore {
  private static final String CREATE_IF_ABSENT =
      """
      INSERT INTO devices (user_id, device_id, display_name, created_ts) VALUES ($1, $2, $3, $4)
      ON CONFLICT (user_id, device_id) DO UPDATE SET display_name = COALESCE(EXCLUDED.display_name, devices.display_name)
      RETURNING (xmax = 0) AS created""";
  private static final String LOCK =
      "SELECT 1 FROM devices WHERE user_id = $1 AND device_id = $2 FOR UPDATE";
  private static final String GET =
      "SELECT user_id, device_id, display_name, created_ts FROM devices WHERE user_id = $1 AND device_id = $2";
  private static final String LIST_USER =
      """
      SELECT user_id, device_id, display_name, created_ts FROM devices WHERE user_id = $1 ORDER BY device_id""";
  private static final String DELETE = "DELETE FROM devices WHERE user_id = $1 AND device_id = $2";

  public record Device(String userId, String deviceId, String displayName, long createdTs) {
    static Device of(Row r) {
      return new Device(
          r.getString("user_id"),
          r.getString("device_id"),
          r.getString("display_name"),
          r.getLong("created_ts"));
    }
  }

  /**
   * Creates the device, or keeps it (updating a given display name); true if it was created now.
   */
  public Future<Boolean> createIfAbsent(
      SqlClient db, String userId, String deviceId, String displayName, long nowMs) {
    return db.preparedQuery(CREATE_IF_ABSENT)
        .execute(Tuple.of(userId, deviceId, displayName, nowMs))
        .map(rs -> rs.iterator().next().getBoolean("created"));
  }

  /**
   * Locks the device row for the rest of the transaction: uploads and resets of one device are
   * serialised on it (claims are not: they lock only the key rows they take). False if no such
   * device.
   */
  public Future<Boolean> lock(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(userId, deviceId)).map(rows -> rows.size() == 1);
  }

  public Future<Optional<Device>> get(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(GET)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rs -> rs.size() == 0 ? Optional.empty() : Optional.of(Device.of(rs.iterator().next())));
  }

  public Future<List<Device>> list(SqlClient db, String userId) {
    return db.preparedQuery(LIST_USER)
        .execute(Tuple.of(userId))
        .map(
            rs -> {
              List<Device> out = new ArrayList<>();
              rs.forEach(r -> out.add(Device.of(r)));
              return out;
            });
  }

  public Future<Boolean> delete(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(DELETE)
        .execute(Tuple.of(userId, deviceId))
        .map(rs -> rs.rowCount() > 0);
  }
}
