package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import org.keydir.keys.QueryTracking;

/**
 * SQL for {@code device_list_tracking}: one statement per query, one user's rows (Citus: one
 * shard).
 */
public final class TrackingStore {
  private static final String RECORD =
      """
      INSERT INTO device_list_tracking (user_id, tracked_user_id, since_ts)
      SELECT $1, t, $3 FROM unnest($2::text[]) AS t ON CONFLICT (user_id, tracked_user_id) DO NOTHING""";
  private static final String FORGET_IF_NO_DEVICE =
      """
      WITH gone AS (SELECT NOT EXISTS (SELECT 1 FROM devices WHERE user_id = $1) AS yes),
      interest AS (DELETE FROM federation_interest WHERE user_id = $1 AND (SELECT yes FROM gone))
      DELETE FROM device_list_tracking WHERE user_id = $1 AND (SELECT yes FROM gone)""";

  public Future<Void> record(SqlClient db, String userId, Collection<String> queried, long nowMs) {
    if (queried.isEmpty()) return Future.succeededFuture();
    return db.preparedQuery(RECORD)
        .execute(
            Tuple.tuple()
                .addString(userId)
                .addArrayOfString(queried.toArray(String[]::new))
                .addLong(nowMs))
        .mapEmpty();
  }

  /**
   * In the transaction that deleted a device: once no device of the user is left, the users they
   * tracked and the remote servers that asked about them are forgotten.
   */
  public Future<Void> forgetIfNoDevice(SqlClient tx, String userId) {
    return tx.preparedQuery(FORGET_IF_NO_DEVICE).execute(Tuple.of(userId)).mapEmpty();
  }

  public QueryTracking on(Pool pool, java.time.Clock clock) {
    return (userId, queried) -> record(pool, userId, queried, clock.millis());
  }
}
