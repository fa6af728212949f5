package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.keydir.keys.KeySignature;

/** {@code key_signatures}: one statement per write and per read, naming the users it touches. */
public final class KeySignatureStore {
  private static final String INSERT =
      """
      INSERT INTO key_signatures (user_id, target_key_id, signer_user_id, signer_key_id, signature, created_ts)
      SELECT s.u, s.t, s.su, s.sk, s.sig, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        AS s(u, t, su, sk, sig)
      WHERE s.u = ANY($1)
      ON CONFLICT (user_id, target_key_id, signer_user_id, signer_key_id) DO UPDATE SET signature = EXCLUDED.signature""";
  private static final String FOR_USERS =
      """
      SELECT user_id, target_key_id, signer_user_id, signer_key_id, signature FROM key_signatures WHERE user_id = ANY($1)""";

  public Future<Void> insert(SqlClient tx, List<KeySignature> sigs, long nowMs) {
    if (sigs.isEmpty()) return Future.succeededFuture();
    return tx.preparedQuery(INSERT)
        .execute(
            Tuple.of(col(sigs, 0), col(sigs, 1), col(sigs, 2), col(sigs, 3), col(sigs, 4), nowMs))
        .mapEmpty();
  }

  /**
   * Signatures on {@code userId}'s key {@code keyId}, and signatures {@code userId} made with it.
   */
  public Future<Void> deleteOnAndBy(SqlClient tx, String userId, String publicKey) {
    return tx.preparedQuery("DELETE FROM key_signatures WHERE user_id = $1 AND target_key_id = $2")
        .execute(Tuple.of(userId, publicKey))
        .compose(
            v ->
                tx.preparedQuery(
                        "DELETE FROM key_signatures WHERE signer_user_id = $1 AND signer_key_id = $2")
                    .execute(Tuple.of(userId, "ed25519:" + publicKey)))
        .mapEmpty();
  }

  public Future<List<KeySignature>> forUsers(SqlClient db, List<String> userIds) {
    return db.preparedQuery(FOR_USERS)
        .execute(Tuple.of(userIds.toArray(String[]::new)))
        .map(
            rows -> {
              List<KeySignature> out = new ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new KeySignature(
                              r.getString("user_id"),
                              r.getString("target_key_id"),
                              r.getString("signer_user_id"),
                              r.getString("signer_key_id"),
                              r.getString("signature"))));
              return out;
            });
  }

  private static String[] col(List<KeySignature> sigs, int i) {
    return sigs.stream()
        .map(
            s ->
                switch (i) {
                  case 0 -> s.userId();
                  case 1 -> s.targetKeyId();
                  case 2 -> s.signerUserId();
                  case 3 -> s.signerKeyId();
                  default -> s.signature();
                })
        .toArray(String[]::new);
  }
}
