package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import org.keydir.auth.Caller;

/** SQL for {@code access_tokens}: only hashes are stored. */
public final class TokenStore {
  private static final String INSERT =
      "INSERT INTO access_tokens (token_hash, user_id, device_id, created_ts) VALUES ($1, $2, $3, $4)";
  private static final String LOOKUP =
      "SELECT user_id, device_id FROM access_tokens WHERE token_hash = $1";

  private static final String DELETE_DEVICE =
      "DELETE FROM access_tokens WHERE user_id = $1 AND device_id = $2";

  /** Deletes the device's tokens and, on commit, tells every replica to forget them. */
  public Future<Integer> deleteForDevice(SqlClient tx, String userId, String deviceId) {
    return tx.preparedQuery(DELETE_DEVICE)
        .execute(Tuple.of(userId, deviceId))
        .compose(rs -> TokenNotice.ofDevice(userId, deviceId).send(tx).map(v -> rs.rowCount()));
  }

  public Future<Void> insert(
      SqlClient db, byte[] tokenHash, String userId, String deviceId, long nowMs) {
    return db.preparedQuery(INSERT)
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(tokenHash), userId, deviceId, nowMs))
        .mapEmpty();
  }

  public Future<Optional<Caller>> lookup(SqlClient db, byte[] tokenHash) {
    return db.preparedQuery(LOOKUP)
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(tokenHash)))
        .map(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) return Optional.empty();
              Row row = it.next();
              return Optional.of(new Caller(row.getString("user_id"), row.getString("device_id")));
            });
  }
}
