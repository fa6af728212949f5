package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/** {@code cross_signing_approvals}: one open window per user at most. */
public final class CrossSigningApprovalStore {
  private static final String OPEN =
      """
      INSERT INTO cross_signing_approvals (user_id, expires_ts, opened_by, opened_ts) VALUES ($1, $2, $3, $4)
      ON CONFLICT (user_id) DO UPDATE SET expires_ts = EXCLUDED.expires_ts, opened_by = EXCLUDED.opened_by,
        opened_ts = EXCLUDED.opened_ts""";

  /** Takes the window (deletes it) and says until when it was open; empty if there was none. */
  private static final String TAKE =
      "DELETE FROM cross_signing_approvals WHERE user_id = $1 RETURNING expires_ts";

  public Future<Void> open(SqlClient tx, String userId, long expiresTs, String actor, long nowMs) {
    return tx.preparedQuery(OPEN).execute(Tuple.of(userId, expiresTs, actor, nowMs)).mapEmpty();
  }

  public Future<Optional<Long>> take(SqlClient tx, String userId) {
    return tx.preparedQuery(TAKE)
        .execute(Tuple.of(userId))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<Long>empty()
                    : Optional.of(rows.iterator().next().getLong("expires_ts")));
  }
}
