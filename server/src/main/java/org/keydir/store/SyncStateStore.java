package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * What a host's {@code /sync} needs of many devices in one statement: available one-time keys per
 * algorithm and the algorithms of unused fallback keys. Both halves join the named (user, device)
 * pairs on the tables' primary keys.
 */
public final class SyncStateStore {
  /**
   * The {@code user_id = ANY($1)} filters: on Citus they prune to the named users' shards (without:
   * all 32).
   */
  static final String STATE =
      """
      SELECT w.user_id, w.device_id, true AS one_time, o.algorithm, count(*) AS n
      FROM unnest($1::text[], $2::text[]) AS w(user_id, device_id)
      JOIN one_time_keys o ON o.user_id = w.user_id AND o.device_id = w.device_id AND o.claimed_ts IS NULL
      WHERE o.user_id = ANY($1)
      GROUP BY w.user_id, w.device_id, o.algorithm
      UNION ALL
      SELECT w.user_id, w.device_id, false, f.algorithm, 0
      FROM unnest($1::text[], $2::text[]) AS w(user_id, device_id)
      JOIN fallback_keys f ON f.user_id = w.user_id AND f.device_id = w.device_id AND NOT f.used
      WHERE f.user_id = ANY($1)""";

  /**
   * A device's count of one algorithm ({@code oneTime}) or one of its unused fallback algorithms.
   */
  public record Row(
      String userId, String deviceId, boolean oneTime, String algorithm, long count) {}

  public Future<List<Row>> read(SqlClient db, List<String> userIds, List<String> deviceIds) {
    return db.preparedQuery(STATE)
        .execute(
            Tuple.tuple()
                .addArrayOfString(userIds.toArray(String[]::new))
                .addArrayOfString(deviceIds.toArray(String[]::new)))
        .map(
            rs -> {
              List<Row> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new Row(
                              r.getString("user_id"),
                              r.getString("device_id"),
                              r.getBoolean("one_time"),
                              r.getString("algorithm"),
                              r.getLong("n"))));
              return out;
            });
  }
}
