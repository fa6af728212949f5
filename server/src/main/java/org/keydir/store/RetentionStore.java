package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Batched deletes of rows past their retention, each a single statement over a user range ({@code
 * user_id >= cursor}, the first {@code limit} rows in user order), so a batch stays small and Citus
 * can route it by range; the largest user id deleted is the next batch's cursor.
 */
public final class RetentionStore {
  private static final String TOMBSTONES =
      """
      WITH doomed AS (
        SELECT user_id, device_id, algorithm, key_id FROM one_time_keys
        WHERE user_id >= $1 AND claimed_ts IS NOT NULL AND claimed_ts < $2
        ORDER BY user_id LIMIT $3)
      DELETE FROM one_time_keys o USING doomed d
      WHERE o.user_id = d.user_id AND o.device_id = d.device_id AND o.algorithm = d.algorithm AND o.key_id = d.key_id
      RETURNING o.user_id""";
  private static final String AUDIT =
      """
      WITH doomed AS (
        SELECT user_id, id FROM audit_log WHERE user_id >= $1 AND ts < $2 ORDER BY user_id LIMIT $3)
      DELETE FROM audit_log a USING doomed d WHERE a.user_id = d.user_id AND a.id = d.id
      RETURNING a.user_id""";
  private static final String PEER_KEYS =
      """
      DELETE FROM peer_signing_keys p USING (
        SELECT server_name, key_id FROM peer_signing_keys WHERE valid_until_ts < $1 LIMIT $2) d
      WHERE p.server_name = d.server_name AND p.key_id = d.key_id""";

  private static final String APPROVALS =
      """
      DELETE FROM cross_signing_approvals a USING (
        SELECT user_id FROM cross_signing_approvals WHERE expires_ts < $1 LIMIT $2) d
      WHERE a.user_id = d.user_id RETURNING a.user_id, a.expires_ts""";

  private static final String DEVICE_LIST_CHANGES =
      """
      DELETE FROM device_list_changes c USING (
        SELECT user_id, stream_id FROM device_list_changes WHERE changed_ts < $1 ORDER BY stream_id LIMIT $2) d
      WHERE c.user_id = d.user_id AND c.stream_id = d.stream_id""";

  public Future<Integer> deleteDeviceListChanges(SqlClient db, long before, int limit) {
    return db.preparedQuery(DEVICE_LIST_CHANGES)
        .execute(Tuple.of(before, limit))
        .map(r -> r.rowCount());
  }

  /** Expired approval windows: (user, expiry) of each deleted. */
  public Future<java.util.List<String[]>> deleteExpiredApprovals(
      SqlClient db, long now, int limit) {
    return db.preparedQuery(APPROVALS)
        .execute(Tuple.of(now, limit))
        .map(
            rows -> {
              java.util.List<String[]> out = new java.util.ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new String[] {
                            r.getString("user_id"), Long.toString(r.getLong("expires_ts"))
                          }));
              return out;
            });
  }

  /** What one batch deleted: how many rows, and the largest user id among them (null if none). */
  public record Batch(int deleted, String lastUser) {}

  public Future<Batch> deleteTombstones(
      SqlClient db, String fromUser, long claimedBefore, int limit) {
    return batch(db, TOMBSTONES, fromUser, claimedBefore, limit);
  }

  public Future<Batch> deleteAudit(SqlClient db, String fromUser, long before, int limit) {
    return batch(db, AUDIT, fromUser, before, limit);
  }

  public Future<Integer> deletePeerKeys(SqlClient db, long validUntilBefore, int limit) {
    return db.preparedQuery(PEER_KEYS)
        .execute(Tuple.of(validUntilBefore, limit))
        .map(r -> r.rowCount());
  }

  /** Peer keys past their validity are never trusted again (PeerKeys); this only frees the rows. */
  private static Future<Batch> batch(
      SqlClient db, String sql, String fromUser, long before, int limit) {
    return db.preparedQuery(sql)
        .execute(Tuple.of(fromUser, before, limit))
        .map(
            rows -> {
              String last = null;
              for (Row r : rows) {
                String u = r.getString("user_id");
                if (last == null || u.compareTo(last) > 0) last = u;
              }
              return new Batch(rows.rowCount(), last);
            });
  }

  /** Row counts as the planner last estimated them (pg_class.reltuples): cheap, no table scan. */
  public Future<java.util.Map<String, Long>> estimatedRows(
      SqlClient db, java.util.List<String> tables) {
    return db.preparedQuery(
            """
        SELECT c.relname, greatest(c.reltuples, 0)::bigint AS n FROM pg_class c
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)""")
        .execute(Tuple.of(tables.toArray(String[]::new)))
        .map(
            rows -> {
              java.util.Map<String, Long> out = new java.util.TreeMap<>();
              rows.forEach(r -> out.put(r.getString("relname"), r.getLong("n")));
              return out;
            });
  }
}
