package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.keydir.keys.SyncView;

/**
 * One statement, so one snapshot, for a device's /sync: the stream position, the changed users it
 * should hear of in (from, position], its counts and fallback algorithms. Positions commit in order
 * (DeviceListStore), so every change at or below the position read here is visible to it. The
 * tracked users are read first into an array (not joined: on Citus, a join on {@code
 * tracked_user_id}, which is not the shard key, is refused as a "complex join").
 */
public final class SyncViewStore {
  private static final String VIEW =
      """
      WITH top AS (SELECT coalesce(max(stream_id), 0) AS p FROM device_list_changes)
      SELECT 0 AS part, NULL::text AS name, (SELECT p FROM top) AS n
      UNION ALL
      SELECT 1, c.user_id, 0 FROM device_list_changes c
      WHERE c.stream_id > $3 AND c.stream_id <= (SELECT p FROM top)
        AND c.user_id = ANY (ARRAY(SELECT t.tracked_user_id FROM device_list_tracking t WHERE t.user_id = $1) || $1)
      GROUP BY c.user_id
      UNION ALL
      SELECT 2, algorithm, count(*) FROM one_time_keys
      WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL GROUP BY algorithm
      UNION ALL
      SELECT 3, algorithm, 0 FROM fallback_keys WHERE user_id = $1 AND device_id = $2 AND NOT used""";

  /** {@code from}: the device's previous position ({@code Long.MAX_VALUE}: report no changes). */
  public Future<SyncView> read(SqlClient db, String userId, String deviceId, long from) {
    return db.preparedQuery(VIEW)
        .execute(Tuple.of(userId, deviceId, from))
        .map(
            rs -> {
              long position = 0;
              List<String> changed = new ArrayList<>();
              Map<String, Long> counts = new TreeMap<>();
              List<String> fallbacks = new ArrayList<>();
              for (var r : rs) {
                switch (r.getInteger("part")) {
                  case 0 -> position = r.getLong("n");
                  case 1 -> changed.add(r.getString("name"));
                  case 2 -> counts.put(r.getString("name"), r.getLong("n"));
                  default -> fallbacks.add(r.getString("name"));
                }
              }
              changed.sort(null);
              fallbacks.sort(null);
              return new SyncView(position, changed, counts, fallbacks);
            });
  }
}
