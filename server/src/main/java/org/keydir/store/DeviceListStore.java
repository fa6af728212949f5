package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.keydir.keys.DeviceListChange;

/**
 * The device-list stream: {@code device_list_changes} (one row per change) and {@code
 * device_list_positions} (each user's latest). Positions are taken under one advisory lock held
 * until the change commits, so they commit in order: a reader that saw position P never later meets
 * a change below P committing (the stream would otherwise skip it).
 */
public final class DeviceListStore {
  private final java.time.Clock clock;

  /** {@code clock} stamps each change ({@code changed_ts}, which retention reads). */
  public DeviceListStore(java.time.Clock clock) {
    this.clock = clock;
  }

  private static final String LOCK = "SELECT pg_advisory_xact_lock(7164200)";

  /**
   * Every replica LISTENs on this channel; the notice (the position) is delivered when the change
   * commits.
   */
  public static final String CHANNEL = "keydir_device_lists";

  private static final String NEXT =
      """
      SELECT id, pg_notify('keydir_device_lists', id::text) FROM (SELECT nextval('device_list_stream') AS id) s""";

  /**
   * One statement: the stream entry, an outbox row for every remote server that asked about the
   * user (federation_interest; none in standalone mode), and the user's latest position.
   */
  private static final String LOG =
      """
      WITH logged AS (
        INSERT INTO device_list_changes (user_id, stream_id, changed_ts, device_id, kind) VALUES ($1, $2, $3, $4, $5)),
      queued AS (
        INSERT INTO federation_outbox (destination, user_id, stream_id, device_id, kind, created_ts)
        SELECT server_name, $1, $2, $4, $5, $3 FROM federation_interest WHERE user_id = $1)
      INSERT INTO device_list_positions (user_id, stream_id) VALUES ($1, $2)
      ON CONFLICT (user_id) DO UPDATE SET stream_id = EXCLUDED.stream_id""";

  private static final String SINCE =
      """
      SELECT stream_id, user_id, device_id, kind FROM device_list_changes WHERE stream_id > $1 ORDER BY stream_id LIMIT $2""";
  private static final String GET =
      "SELECT stream_id FROM device_list_positions WHERE user_id = $1";
  private static final String CURRENT =
      "SELECT coalesce(max(stream_id), 0) AS p FROM device_list_changes";
  private static final String CHANGED =
      """
      SELECT DISTINCT user_id FROM device_list_changes WHERE stream_id > $1 AND stream_id <= $2 ORDER BY user_id""";

  /**
   * Logs one change of {@code userId} ({@code deviceId} null for the user-wide kinds) at the next
   * position.
   */
  public Future<Void> bump(
      SqlClient tx, String userId, String deviceId, DeviceListChange.Kind kind) {
    return tx.query(LOCK)
        .execute()
        .compose(v -> tx.query(NEXT).execute())
        .map(rows -> rows.iterator().next().getLong("id"))
        .compose(
            id ->
                tx.preparedQuery(LOG)
                    .execute(Tuple.of(userId, id, clock.millis(), deviceId, kind.wire)))
        .mapEmpty();
  }

  /**
   * Up to {@code limit} changes after {@code from}, in stream order (a range read of the whole
   * stream).
   */
  public Future<List<DeviceListChange>> since(SqlClient db, long from, int limit) {
    return db.preparedQuery(SINCE)
        .execute(Tuple.of(from, limit))
        .map(
            rs -> {
              List<DeviceListChange> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new DeviceListChange(
                              r.getLong("stream_id"),
                              r.getString("user_id"),
                              java.util.Optional.ofNullable(r.getString("device_id")),
                              DeviceListChange.Kind.ofWire(r.getString("kind")))));
              return out;
            });
  }

  public Future<Long> position(SqlClient db, String userId) {
    return db.preparedQuery(GET)
        .execute(Tuple.of(userId))
        .map(rs -> rs.size() == 0 ? 0L : rs.iterator().next().getLong("stream_id"));
  }

  /** The newest committed position of the whole stream. */
  public Future<Long> current(SqlClient db) {
    return db.query(CURRENT).execute().map(rs -> rs.iterator().next().getLong("p"));
  }

  /**
   * Users with a change in (from, to]. Reads the whole stream's range (not per user: on Citus, a
   * multi-shard read).
   */
  public Future<List<String>> changed(SqlClient db, long from, long to) {
    return db.preparedQuery(CHANGED)
        .execute(Tuple.of(from, to))
        .map(
            rs -> {
              List<String> out = new ArrayList<>();
              rs.forEach(r -> out.add(r.getString("user_id")));
              return out;
            });
  }
}
