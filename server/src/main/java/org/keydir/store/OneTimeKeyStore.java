package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keydir.keys.KeyId;
import org.keydir.keys.StoredDeviceState.StoredOneTimeKey;
import org.keydir.keys.UploadedKey;

/**
 * SQL for {@code one_time_keys}. Claimed keys stay as tombstones (see sql/V2).
 *
 * <p>A plan cached while the table was small read a device's whole key range and compared it with
 * the named ids (issue 17: 14.8 ms per upload at a few thousand keys; PlansOnAGrowingTableTest).
 * The upload's lookup ({@link #FIND}) probes the primary key once per id; the delete of chosen keys
 * (MSC4162 reset) names them as {@code algorithm = ANY(..) AND key_id = ANY(..)} too, which keeps a
 * generic plan made on a small table on the primary key (a custom plan on stale statistics may
 * still read the device's range: a rare request).
 */
public final class OneTimeKeyStore {
  /**
   * One primary-key probe per named id, whatever the statistics say about the device: a subquery
   * with LIMIT is never flattened into a join, so the planner cannot trade the probes for a scan of
   * the device's range. The former {@code = ANY} form ran, in the bench, a generic plan made on
   * stale statistics that read all of a device's keys and compared each with the 100 ids (1.36 ms
   * per upload, the largest share of PostgreSQL's CPU per upload; docs/performance.md item 18). On
   * a table analyzed while tiny, any cached plan scans the table; sql/V14 keeps that from
   * happening.
   */
  static final String FIND =
      """
      SELECT u.algorithm, u.key_id, o.key_json FROM unnest($3::text[], $4::text[]) AS u(algorithm, key_id)
      CROSS JOIN LATERAL (SELECT key_json FROM one_time_keys
        WHERE user_id = $1 AND device_id = $2 AND algorithm = u.algorithm AND key_id = u.key_id LIMIT 1) o""";

  private static final String COUNTS =
      """
      SELECT algorithm, count(*) AS n FROM one_time_keys
      WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL GROUP BY algorithm""";

  /** One sequence value per upload, then the position within it: the claim order. */
  private static final String INSERT =
      """
      INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos)
      SELECT $1, $2, k.algorithm, k.key_id, k.key_json, $3, s.seq, k.pos
      FROM (SELECT nextval('one_time_key_upload_seq') AS seq) s,
           unnest($4::text[], $5::text[], $6::text[], $7::int[]) AS k(algorithm, key_id, key_json, pos)""";

  private static final String DELETE_ALL_AVAILABLE =
      """
      DELETE FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL
      RETURNING algorithm, key_id""";
  static final String DELETE_AVAILABLE =
      """
      DELETE FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL
        AND algorithm = ANY($3) AND key_id = ANY($4) AND (algorithm, key_id) IN (SELECT * FROM unnest($3::text[], $4::text[]))
      RETURNING algorithm, key_id""";
  private static final String DELETE_DEVICE =
      "DELETE FROM one_time_keys WHERE user_id = $1 AND device_id = $2";
  private static final String LIST =
      """
      SELECT algorithm, key_id, uploaded_ts, upload_seq, upload_pos FROM one_time_keys
      WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL AND (upload_seq, upload_pos) > ($3, $4)
      ORDER BY upload_seq, upload_pos LIMIT $5""";
  private static final String STATS =
      """
      SELECT count(*) FILTER (WHERE claimed_ts IS NOT NULL) AS claimed, max(uploaded_ts) AS last_upload
      FROM one_time_keys WHERE user_id = $1 AND device_id = $2""";

  /**
   * A stored, available one-time key as the desync listing shows it; (seq, pos) is its place in
   * claim order.
   */
  public record Listed(KeyId keyId, long uploadedTs, long seq, int pos) {}

  /** Claims served (tombstones) and the newest upload time, for the admin view. */
  public record Stats(long claimed, Long lastUploadTs) {}

  /**
   * Deletes available keys (all, or those of {@code ids}); claimed tombstones stay. Row locks make
   * this atomic against claims: a key a claim has locked is claimed or not, never both.
   */
  public Future<List<KeyId>> deleteAvailable(
      SqlClient tx, String userId, String deviceId, List<KeyId> idsOrNull) {
    Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> rows =
        idsOrNull == null
            ? tx.preparedQuery(DELETE_ALL_AVAILABLE).execute(Tuple.of(userId, deviceId))
            : tx.preparedQuery(DELETE_AVAILABLE)
                .execute(
                    Tuple.of(
                        userId,
                        deviceId,
                        idsOrNull.stream().map(KeyId::algorithm).toArray(String[]::new),
                        idsOrNull.stream().map(KeyId::id).toArray(String[]::new)));
    return rows.map(
        rs -> {
          List<KeyId> out = new ArrayList<>();
          rs.forEach(r -> out.add(new KeyId(r.getString("algorithm"), r.getString("key_id"))));
          return out;
        });
  }

  /** Everything of the device, tombstones included: the device itself is going away. */
  public Future<Integer> deleteDevice(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(DELETE_DEVICE)
        .execute(Tuple.of(userId, deviceId))
        .map(rs -> rs.rowCount());
  }

  public Future<List<Listed>> list(
      SqlClient db, String userId, String deviceId, long afterSeq, int afterPos, int limit) {
    return db.preparedQuery(LIST)
        .execute(Tuple.of(userId, deviceId, afterSeq, afterPos, limit))
        .map(
            rs -> {
              List<Listed> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new Listed(
                              new KeyId(r.getString("algorithm"), r.getString("key_id")),
                              r.getLong("uploaded_ts"),
                              r.getLong("upload_seq"),
                              r.getInteger("upload_pos"))));
              return out;
            });
  }

  public Future<Stats> stats(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(STATS)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rs -> {
              var r = rs.iterator().next();
              return new Stats(r.getLong("claimed"), r.getLong("last_upload"));
            });
  }

  /** The stored rows (available or claimed) among the given ids. */
  public Future<Map<KeyId, StoredOneTimeKey>> find(
      SqlClient db, String userId, String deviceId, Collection<KeyId> ids) {
    if (ids.isEmpty()) return Future.succeededFuture(Map.of());
    return db.preparedQuery(FIND)
        .execute(
            Tuple.of(
                userId,
                deviceId,
                ids.stream().map(KeyId::algorithm).toArray(String[]::new),
                ids.stream().map(KeyId::id).toArray(String[]::new)))
        .map(
            rows -> {
              Map<KeyId, StoredOneTimeKey> out = new HashMap<>();
              rows.forEach(
                  r -> {
                    KeyId id = new KeyId(r.getString("algorithm"), r.getString("key_id"));
                    out.put(id, new StoredOneTimeKey(id, r.getString("key_json")));
                  });
              return out;
            });
  }

  // The stock gauge of /metrics: an index-only count over the partial index of available keys.
  private static final String AVAILABLE_TOTAL =
      "SELECT count(*) AS n FROM one_time_keys WHERE claimed_ts IS NULL";

  public Future<Long> countAvailable(SqlClient db) {
    return db.preparedQuery(AVAILABLE_TOTAL)
        .execute()
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Available (unclaimed) one-time keys per algorithm. */
  public Future<Map<String, Integer>> counts(SqlClient db, String userId, String deviceId) {
    return db.preparedQuery(COUNTS)
        .execute(Tuple.of(userId, deviceId))
        .map(
            rows -> {
              Map<String, Integer> out = new HashMap<>();
              rows.forEach(r -> out.put(r.getString("algorithm"), r.getLong("n").intValue()));
              return out;
            });
  }

  public Future<Void> insert(
      SqlClient tx, String userId, String deviceId, List<UploadedKey> keys, long nowMs) {
    if (keys.isEmpty()) return Future.succeededFuture();
    List<String> algorithms = new ArrayList<>(keys.size());
    List<String> ids = new ArrayList<>(keys.size());
    List<String> jsons = new ArrayList<>(keys.size());
    Integer[] positions = new Integer[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      UploadedKey k = keys.get(i);
      algorithms.add(k.keyId().algorithm());
      ids.add(k.keyId().id());
      jsons.add(k.json());
      positions[i] = k.position();
    }
    return tx.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                userId,
                deviceId,
                nowMs,
                algorithms.toArray(String[]::new),
                ids.toArray(String[]::new),
                jsons.toArray(String[]::new),
                positions))
        .mapEmpty();
  }
}
