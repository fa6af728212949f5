package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.keydir.keys.DeviceKeys;
import org.keydir.keys.QueriedDevice;
import org.keydir.keys.StoredDeviceState.StoredDeviceKeys;

/** SQL for {@code device_keys}. */
public final class DeviceKeyStore {
  private final Shards shards;

  public DeviceKeyStore(Shards shards) {
    this.shards = shards;
  }

  private static final String GET =
      "SELECT key_json, ed25519, curve25519 FROM device_keys WHERE user_id = $1 AND device_id = $2";
  private static final String UPSERT =
      """
      INSERT INTO device_keys (user_id, device_id, key_json, ed25519, curve25519, uploaded_ts)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (user_id, device_id) DO UPDATE
        SET key_json = EXCLUDED.key_json, uploaded_ts = EXCLUDED.uploaded_ts""";

  /**
   * $1: every user asked about; $2: users asked for all devices; $3: "user device" pairs (neither a
   * stored user ID nor a stored device ID contains a space, so a pair names one row). No subquery:
   * on Citus, {@code user_id = ANY($1)} then prunes to the named users' shards, where the earlier
   * {@code (user_id, device_id) IN (SELECT … unnest(…))} was sent to all 32.
   */
  static final String QUERY_CITUS =
      """
      SELECT k.user_id, k.device_id, k.key_json, d.display_name
      FROM device_keys k JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
      WHERE k.user_id = ANY($1) AND d.user_id = ANY($1)
        AND (k.user_id = ANY($2) OR k.user_id || ' ' || k.device_id = ANY($3))""";

  /**
   * On plain PostgreSQL without the filter on {@code devices}, which only Citus needs (to prune
   * both tables to the named users' shards). With it, PostgreSQL's generic plan estimated one key
   * row (the OR filter) and joined {@code devices} by re-scanning it, filtered on the array, once
   * per key row: 146 buffers and 1.2 ms for 10 devices against 63 buffers by primary key, and
   * whether a run got that plan depended on the statistics when it was cached (bench: PostgreSQL
   * CPU per query ≈ 0.2 or ≈ 0.4 ms from one run to the next; docs/performance.md item 11).
   */
  static final String QUERY = QUERY_CITUS.replace(" AND d.user_id = ANY($1)", "");

  private static final String DELETE =
      "DELETE FROM device_keys WHERE user_id = $1 AND device_id = $2";
  private static final String UPLOADED_TS =
      "SELECT uploaded_ts FROM device_keys WHERE user_id = $1 AND device_id = $2";

  private static String[] pairs(List<String> users, List<String> devices) {
    String[] out = new String[users.size()];
    for (int i = 0; i < out.length; i++) out[i] = users.get(i) + " " + devices.get(i);
    return out;
  }

  /** True if there were device keys to delete. */
  public Future<Boolean> delete(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(DELETE)
        .execute(Tuple.of(userId, deviceId))
        .map(rs -> rs.rowCount() > 0);
  }

  public Future<Optional<Long>> uploadedTs(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(UPLOADED_TS)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.empty()
                    : Optional.of(rs.iterator().next().getLong("uploaded_ts")));
  }

  public Future<Optional<StoredDeviceKeys>> get(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(GET)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rows -> {
              if (rows.size() == 0) return Optional.empty();
              Row r = rows.iterator().next();
              return Optional.of(
                  new StoredDeviceKeys(
                      r.getString("key_json"), r.getString("ed25519"), r.getString("curve25519")));
            });
  }

  public Future<Void> upsert(
      SqlClient tx, String userId, String deviceId, DeviceKeys keys, long nowMs) {
    return tx.preparedQuery(UPSERT)
        .execute(
            Tuple.of(userId, deviceId, keys.jsonText(), keys.ed25519(), keys.curve25519(), nowMs))
        .mapEmpty();
  }

  /** One statement for the whole query, however many users and devices. */
  public Future<List<QueriedDevice>> query(
      SqlClient db,
      List<String> allUsers,
      List<String> wholeUsers,
      List<String> pairUsers,
      List<String> pairDevices) {
    return db.preparedQuery(shards.isCitus() ? QUERY_CITUS : QUERY)
        .execute(
            Tuple.of(
                allUsers.toArray(String[]::new),
                wholeUsers.toArray(String[]::new),
                pairs(pairUsers, pairDevices)))
        .map(
            rows -> {
              List<QueriedDevice> out = new ArrayList<>(rows.size());
              rows.forEach(
                  r ->
                      out.add(
                          new QueriedDevice(
                              r.getString("user_id"),
                              r.getString("device_id"),
                              r.getString("key_json"),
                              r.getString("display_name"))));
              return out;
            });
  }
}
