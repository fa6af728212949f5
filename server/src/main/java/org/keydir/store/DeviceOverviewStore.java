package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keydir.keys.KeyId;
import org.keydir.keys.StoredDeviceState.StoredFallbackKey;

/**
 * The admin listing of a user's devices, in ONE statement however many devices the user has (it was
 * seven queries per device, so a user with 1,667 devices held the pool's wait queue at 10,000).
 */
public final class DeviceOverviewStore {
  private static final String LIST =
      """
      SELECT d.user_id, d.device_id, d.display_name, d.created_ts, dk.key_json AS device_keys, dk.uploaded_ts AS keys_ts,
             c.algorithms, c.counts, s.claimed, s.last_upload,
             f.algorithms AS fb_algorithms, f.key_ids AS fb_key_ids, f.jsons AS fb_jsons, f.used AS fb_used,
             f.last_upload AS fb_last_upload
      FROM devices d
      LEFT JOIN device_keys dk ON dk.user_id = d.user_id AND dk.device_id = d.device_id
      LEFT JOIN LATERAL (
        SELECT array_agg(a.algorithm ORDER BY a.algorithm) AS algorithms, array_agg(a.n ORDER BY a.algorithm) AS counts
        FROM (SELECT o.algorithm, count(*)::int AS n FROM one_time_keys o
              WHERE o.user_id = d.user_id AND o.device_id = d.device_id AND o.claimed_ts IS NULL
              GROUP BY o.algorithm) a) c ON true
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE o.claimed_ts IS NOT NULL) AS claimed, max(o.uploaded_ts) AS last_upload
        FROM one_time_keys o WHERE o.user_id = d.user_id AND o.device_id = d.device_id) s ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(k.algorithm ORDER BY k.algorithm) AS algorithms, array_agg(k.key_id ORDER BY k.algorithm) AS key_ids,
               array_agg(k.key_json ORDER BY k.algorithm) AS jsons, array_agg(k.used ORDER BY k.algorithm) AS used,
               max(k.uploaded_ts) AS last_upload
        FROM fallback_keys k WHERE k.user_id = d.user_id AND k.device_id = d.device_id) f ON true
      WHERE d.user_id = $1
      ORDER BY d.device_id""";

  public record Overview(
      DeviceStore.Device device,
      String deviceKeysJson,
      Long deviceKeysTs,
      Map<String, Integer> counts,
      long claimed,
      Long lastOneTimeKeyUpload,
      Map<String, StoredFallbackKey> fallbackKeys,
      Long lastFallbackUpload) {}

  public Future<List<Overview>> list(SqlClient db, String userId) {
    return db.preparedQuery(LIST)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              List<Overview> out = new ArrayList<>();
              for (Row r : rows) out.add(overview(r));
              return out;
            });
  }

  private static Overview overview(Row r) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    String[] algorithms = r.getArrayOfStrings("algorithms");
    Integer[] n = r.getArrayOfIntegers("counts");
    if (algorithms != null)
      for (int i = 0; i < algorithms.length; i++) counts.put(algorithms[i], n[i]);
    Map<String, StoredFallbackKey> fallbacks = new LinkedHashMap<>();
    String[] fbAlg = r.getArrayOfStrings("fb_algorithms");
    if (fbAlg != null) {
      String[] ids = r.getArrayOfStrings("fb_key_ids");
      String[] jsons = r.getArrayOfStrings("fb_jsons");
      Boolean[] used = r.getArrayOfBooleans("fb_used");
      for (int i = 0; i < fbAlg.length; i++) {
        fallbacks.put(
            fbAlg[i], new StoredFallbackKey(new KeyId(fbAlg[i], ids[i]), jsons[i], used[i]));
      }
    }
    DeviceStore.Device device =
        new DeviceStore.Device(
            r.getString("user_id"),
            r.getString("device_id"),
            r.getString("display_name"),
            r.getLong("created_ts"));
    return new Overview(
        device,
        r.getString("device_keys"),
        r.getLong("keys_ts"),
        counts,
        r.getLong("claimed"),
        r.getLong("last_upload"),
        fallbacks,
        r.getLong("fb_last_upload"));
  }
}
