package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SQL for the federation outbox and its per-destination state. A destination is sent to by the
 * replica holding its lease ({@code lease_owner} until {@code lease_until}); a replica that dies
 * loses it when the lease runs out, and the rows it did not get accepted are still there.
 */
public final class OutboxStore {
  private static final String CANDIDATES =
      """
      SELECT o.destination FROM (SELECT DISTINCT destination FROM federation_outbox) o
      LEFT JOIN federation_destinations d ON d.destination = o.destination
      WHERE coalesce(d.retry_at, 0) <= $1 AND (d.lease_until IS NULL OR d.lease_until < $1 OR d.lease_owner = $2)
      LIMIT $3""";
  private static final String CLAIM =
      """
      INSERT INTO federation_destinations (destination, lease_owner, lease_until) VALUES ($1, $2, $4)
      ON CONFLICT (destination) DO UPDATE SET lease_owner = $2, lease_until = $4
      WHERE federation_destinations.retry_at <= $3
        AND (federation_destinations.lease_until < $3 OR federation_destinations.lease_owner = $2)
      RETURNING failures""";
  private static final String BATCH =
      """
      SELECT seq, user_id, stream_id, device_id, kind FROM federation_outbox WHERE destination = $1 ORDER BY seq LIMIT $2""";
  private static final String HEADS =
      """
      SELECT user_id, stream_id FROM federation_sent_heads WHERE destination = $1 AND user_id = ANY($2::text[])""";
  private static final String DELIVERED =
      """
      WITH done AS (DELETE FROM federation_outbox WHERE destination = $1 AND seq = ANY($2::bigint[])),
      heads AS (
        INSERT INTO federation_sent_heads (destination, user_id, stream_id)
        SELECT $1, u, s FROM unnest($3::text[], $4::bigint[]) AS h(u, s)
        ON CONFLICT (destination, user_id) DO UPDATE SET stream_id = EXCLUDED.stream_id)
      UPDATE federation_destinations SET failures = 0, retry_at = 0, last_error = NULL
      WHERE destination = $1 AND lease_owner = $5""";
  private static final String FAILED =
      """
      UPDATE federation_destinations SET failures = failures + 1, retry_at = $3, last_error = $4, lease_until = 0
      WHERE destination = $1 AND lease_owner = $2""";
  private static final String RELEASE =
      """
      UPDATE federation_destinations SET lease_until = 0 WHERE destination = $1 AND lease_owner = $2""";
  private static final String STATS =
      "SELECT count(*) AS n, min(created_ts) AS oldest FROM federation_outbox";
  private static final String DROP_OLD =
      """
      DELETE FROM federation_outbox o USING (
        SELECT destination, seq FROM federation_outbox WHERE created_ts < $1 ORDER BY created_ts LIMIT $2) d
      WHERE o.destination = d.destination AND o.seq = d.seq""";

  /** One queued change for a destination. */
  public record Row(
      long seq, String userId, long streamId, Optional<String> deviceId, String kind) {}

  public Future<List<String>> candidates(SqlClient db, long nowMs, String owner, int limit) {
    return db.preparedQuery(CANDIDATES)
        .execute(Tuple.of(nowMs, owner, limit))
        .map(
            rs -> {
              List<String> out = new ArrayList<>();
              rs.forEach(r -> out.add(r.getString("destination")));
              return out;
            });
  }

  /**
   * The lease, or empty if another replica holds it or the destination is backing off; the failures
   * so far.
   */
  public Future<Optional<Integer>> claim(
      SqlClient db, String destination, String owner, long nowMs, long untilMs) {
    return db.preparedQuery(CLAIM)
        .execute(Tuple.of(destination, owner, nowMs, untilMs))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.empty()
                    : Optional.of(rs.iterator().next().getInteger("failures")));
  }

  public Future<List<Row>> batch(SqlClient db, String destination, int limit) {
    return db.preparedQuery(BATCH)
        .execute(Tuple.of(destination, limit))
        .map(
            rs -> {
              List<Row> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new Row(
                              r.getLong("seq"),
                              r.getString("user_id"),
                              r.getLong("stream_id"),
                              Optional.ofNullable(r.getString("device_id")),
                              r.getString("kind"))));
              return out;
            });
  }

  /** Per user, the stream id last delivered to the destination. */
  public Future<Map<String, Long>> heads(SqlClient db, String destination, List<String> users) {
    return db.preparedQuery(HEADS)
        .execute(
            Tuple.tuple().addString(destination).addArrayOfString(users.toArray(String[]::new)))
        .map(
            rs -> {
              Map<String, Long> out = new HashMap<>();
              rs.forEach(r -> out.put(r.getString("user_id"), r.getLong("stream_id")));
              return out;
            });
  }

  /**
   * The destination accepted these rows: they go, the heads move, the failures reset (one
   * statement).
   */
  public Future<Void> delivered(
      SqlClient db, String destination, String owner, List<Long> seqs, Map<String, Long> heads) {
    List<String> users = new ArrayList<>(heads.keySet());
    Long[] streams = users.stream().map(heads::get).toArray(Long[]::new);
    return db.preparedQuery(DELIVERED)
        .execute(
            Tuple.tuple()
                .addString(destination)
                .addArrayOfLong(seqs.toArray(Long[]::new))
                .addArrayOfString(users.toArray(String[]::new))
                .addArrayOfLong(streams)
                .addString(owner))
        .mapEmpty();
  }

  public Future<Void> failed(
      SqlClient db, String destination, String owner, long retryAtMs, String error) {
    return db.preparedQuery(FAILED)
        .execute(Tuple.of(destination, owner, retryAtMs, error))
        .mapEmpty();
  }

  public Future<Void> release(SqlClient db, String destination, String owner) {
    return db.preparedQuery(RELEASE).execute(Tuple.of(destination, owner)).mapEmpty();
  }

  /** Rows queued, and the creation time of the oldest (null when empty). */
  public Future<long[]> stats(SqlClient db) {
    return db.query(STATS)
        .execute()
        .map(
            rs -> {
              var r = rs.iterator().next();
              Long oldest = r.getLong("oldest");
              return new long[] {r.getLong("n"), oldest == null ? -1 : oldest};
            });
  }

  public Future<Integer> dropOlderThan(SqlClient db, long cutoffMs, int limit) {
    return db.preparedQuery(DROP_OLD).execute(Tuple.of(cutoffMs, limit)).map(rs -> rs.rowCount());
  }
}
