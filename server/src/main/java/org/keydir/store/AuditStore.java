package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.keydir.admin.AuditEntry;

/**
 * SQL for {@code audit_log}. Callers pass their transaction, so an entry commits with its change.
 */
public final class AuditStore {
  private static final String INSERT =
      """
      INSERT INTO audit_log (user_id, ts, actor, action, device_id, details) VALUES ($1, $2, $3, $4, $5, $6)""";

  /**
   * Newest first; {@code $2} is an exclusive upper bound on id (Long.MAX_VALUE for the first page).
   */
  private static final String LIST_ALL =
      """
      SELECT id, ts, actor, action, user_id, device_id, details FROM audit_log
      WHERE id < $1 ORDER BY id DESC LIMIT $2""";

  private static final String LIST_USER =
      """
      SELECT id, ts, actor, action, user_id, device_id, details FROM audit_log
      WHERE user_id = $3 AND id < $1 ORDER BY id DESC LIMIT $2""";

  public Future<Void> append(SqlClient tx, AuditEntry e) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(e.userId(), e.ts(), e.actor(), e.action(), e.deviceId(), e.details()))
        .mapEmpty();
  }

  public Future<List<AuditEntry>> list(
      SqlClient db, String userIdOrNull, long beforeId, int limit) {
    Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> rows =
        userIdOrNull == null
            ? db.preparedQuery(LIST_ALL).execute(Tuple.of(beforeId, limit))
            : db.preparedQuery(LIST_USER).execute(Tuple.of(beforeId, limit, userIdOrNull));
    return rows.map(
        rs -> {
          List<AuditEntry> out = new ArrayList<>();
          rs.forEach(
              r ->
                  out.add(
                      new AuditEntry(
                          r.getLong("id"),
                          r.getLong("ts"),
                          r.getString("actor"),
                          r.getString("action"),
                          r.getString("user_id"),
                          r.getString("device_id"),
                          r.getString("details"))));
          return out;
        });
  }
}
