package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.keydir.keys.StoredCrossSigningKey;

/** {@code cross_signing_keys}: every statement names its users. */
public final class CrossSigningKeyStore {
  private static final String FOR_USERS =
      "SELECT user_id, usage, public_key, key_json FROM cross_signing_keys WHERE user_id = ANY($1)";
  private static final String UPSERT =
      """
      INSERT INTO cross_signing_keys (user_id, usage, public_key, key_json, uploaded_ts) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (user_id, usage) DO UPDATE
        SET public_key = EXCLUDED.public_key, key_json = EXCLUDED.key_json, uploaded_ts = EXCLUDED.uploaded_ts""";

  /**
   * Uploads of one user's identity are serialised on this lock (there is no row to lock before the
   * first).
   */
  private static final String LOCK_USER = "SELECT pg_advisory_xact_lock(7164100, hashtext($1))";

  public Future<List<StoredCrossSigningKey>> forUsers(SqlClient db, List<String> userIds) {
    return db.preparedQuery(FOR_USERS)
        .execute(Tuple.of(userIds.toArray(String[]::new)))
        .map(
            rows -> {
              List<StoredCrossSigningKey> out = new ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new StoredCrossSigningKey(
                              r.getString("user_id"),
                              r.getString("usage"),
                              r.getString("public_key"),
                              r.getString("key_json"))));
              return out;
            });
  }

  public Future<Void> lockUser(SqlClient tx, String userId) {
    return tx.preparedQuery(LOCK_USER).execute(Tuple.of(userId)).mapEmpty();
  }

  public Future<Void> delete(SqlClient tx, String userId, String usage) {
    return tx.preparedQuery("DELETE FROM cross_signing_keys WHERE user_id = $1 AND usage = $2")
        .execute(Tuple.of(userId, usage))
        .mapEmpty();
  }

  public Future<Void> put(
      SqlClient tx, String userId, String usage, String publicKey, String json, long nowMs) {
    return tx.preparedQuery(UPSERT)
        .execute(Tuple.of(userId, usage, publicKey, json, nowMs))
        .mapEmpty();
  }
}
