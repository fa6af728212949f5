package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keydir.keys.KeyId;
import org.keydir.keys.StoredDeviceState.StoredFallbackKey;
import org.keydir.keys.UploadedKey;

/** SQL for {@code fallback_keys}: one per device and algorithm. */
public final class FallbackKeyStore {
  private static final String GET =
      "SELECT algorithm, key_id, key_json, used FROM fallback_keys WHERE user_id = $1 AND device_id = $2";

  /** A new key for an algorithm replaces the old one, unused. */
  private static final String UPSERT =
      """
      INSERT INTO fallback_keys (user_id, device_id, algorithm, key_id, key_json, used, uploaded_ts)
      SELECT $1, $2, k.algorithm, k.key_id, k.key_json, false, $3
      FROM unnest($4::text[], $5::text[], $6::text[]) AS k(algorithm, key_id, key_json)
      ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
        SET key_id = EXCLUDED.key_id, key_json = EXCLUDED.key_json, used = false, uploaded_ts = EXCLUDED.uploaded_ts""";

  private static final String UNUSED_ALGORITHMS =
      """
      SELECT algorithm FROM fallback_keys WHERE user_id = $1 AND device_id = $2 AND NOT used ORDER BY algorithm""";

  private static final String DELETE_DEVICE =
      "DELETE FROM fallback_keys WHERE user_id = $1 AND device_id = $2 RETURNING algorithm, key_id";

  private static final String LAST_UPLOAD =
      "SELECT max(uploaded_ts) AS ts FROM fallback_keys WHERE user_id = $1 AND device_id = $2";

  public Future<Long> lastUploadTs(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(LAST_UPLOAD)
        .execute(Tuple.of(userId, deviceId))
        .map(rs -> rs.iterator().next().getLong("ts"));
  }

  public Future<List<KeyId>> deleteDevice(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(DELETE_DEVICE)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rs -> {
              List<KeyId> out = new ArrayList<>();
              rs.forEach(r -> out.add(new KeyId(r.getString("algorithm"), r.getString("key_id"))));
              return out;
            });
  }

  public Future<Map<String, StoredFallbackKey>> get(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(GET)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rows -> {
              Map<String, StoredFallbackKey> out = new HashMap<>();
              rows.forEach(
                  r ->
                      out.put(
                          r.getString("algorithm"),
                          new StoredFallbackKey(
                              new KeyId(r.getString("algorithm"), r.getString("key_id")),
                              r.getString("key_json"),
                              r.getBoolean("used"))));
              return out;
            });
  }

  public Future<Void> upsert(
      SqlClient tx, String userId, String deviceId, List<UploadedKey> keys, long nowMs) {
    if (keys.isEmpty()) return Future.succeededFuture();
    List<String> algorithms = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<String> jsons = new ArrayList<>();
    keys.forEach(
        k -> {
          algorithms.add(k.keyId().algorithm());
          ids.add(k.keyId().id());
          jsons.add(k.json());
        });
    return tx.preparedQuery(UPSERT)
        .execute(
            Tuple.of(
                userId,
                deviceId,
                nowMs,
                algorithms.toArray(String[]::new),
                ids.toArray(String[]::new),
                jsons.toArray(String[]::new)))
        .mapEmpty();
  }

  /** For the host's /sync: {@code device_unused_fallback_key_types}. */
  public Future<List<String>> unusedAlgorithms(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(UNUSED_ALGORITHMS)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rows -> {
              List<String> out = new ArrayList<>();
              rows.forEach(r -> out.add(r.getString("algorithm")));
              return out;
            });
  }
}
