package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.keydir.serverkeys.KeyState;
import org.keydir.serverkeys.ServerKey;

/** SQL for {@code server_signing_keys}, and the rotator's advisory lock. */
public final class ServerKeyStore {
  /** The advisory lock id the rotators of all replicas contend for ("keydir" in ASCII). */
  static final long ROTATOR_LOCK = 0x6b6579646972L;

  private static final String ALL =
      """
      SELECT key_id, state, public_key, sealed_seed, created_ts, activated_ts, expired_ts, revoked_ts, early
      FROM server_signing_keys ORDER BY created_ts, key_id""";
  private static final String INSERT =
      """
      INSERT INTO server_signing_keys (key_id, state, public_key, sealed_seed, created_ts, activated_ts, early)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";
  private static final String ACTIVATE =
      "UPDATE server_signing_keys SET state = 'active', activated_ts = $2 WHERE key_id = $1 AND state = 'pending'";
  private static final String EXPIRE =
      "UPDATE server_signing_keys SET state = 'expired', expired_ts = $2 WHERE key_id = $1 AND state = 'active'";
  private static final String REVOKE =
      "UPDATE server_signing_keys SET state = 'revoked', revoked_ts = $2 WHERE key_id = $1 AND state <> 'revoked'";
  private static final String MARK_EARLY =
      "UPDATE server_signing_keys SET early = true WHERE key_id = $1 AND state = 'pending'";
  private static final String DELETE =
      "DELETE FROM server_signing_keys WHERE key_id = $1 AND state IN ('expired', 'revoked')";

  /**
   * A stored key: the policy's view plus its material (the seed sealed with the key-encryption
   * key).
   */
  public record StoredKey(ServerKey key, String publicKey, byte[] sealedSeed) {}

  /**
   * Non-blocking: false when another replica's rotator holds the lock (it then skips this round).
   */
  public Future<Boolean> tryLock(SqlClient tx) {
    return tx.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS won")
        .execute(Tuple.of(ROTATOR_LOCK))
        .map(rs -> rs.iterator().next().getBoolean("won"));
  }

  /** Blocking, for operator actions: waits for a running rotator round (short) to finish. */
  public Future<Void> lock(SqlClient tx) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(ROTATOR_LOCK))
        .mapEmpty();
  }

  public Future<List<StoredKey>> all(SqlClient db) {
    return db.query(ALL)
        .execute()
        .map(
            rs -> {
              List<StoredKey> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new StoredKey(
                              key(r),
                              r.getString("public_key"),
                              r.getBuffer("sealed_seed").getBytes())));
              return out;
            });
  }

  public Future<Void> insert(SqlClient tx, StoredKey k) {
    ServerKey s = k.key();
    return tx.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                s.keyId(),
                s.state().name().toLowerCase(Locale.ROOT),
                k.publicKey(),
                Buffer.buffer(k.sealedSeed()),
                s.createdAt().toEpochMilli(),
                s.activatedAt() == null ? null : s.activatedAt().toEpochMilli(),
                s.early()))
        .mapEmpty();
  }

  public Future<Void> activate(SqlClient tx, String keyId, Instant at) {
    return exactlyOne(tx, ACTIVATE, Tuple.of(keyId, at.toEpochMilli()), "activate", keyId);
  }

  public Future<Void> expire(SqlClient tx, String keyId, Instant at) {
    return exactlyOne(tx, EXPIRE, Tuple.of(keyId, at.toEpochMilli()), "expire", keyId);
  }

  public Future<Void> revoke(SqlClient tx, String keyId, Instant at) {
    return exactlyOne(tx, REVOKE, Tuple.of(keyId, at.toEpochMilli()), "revoke", keyId);
  }

  public Future<Void> markEarly(SqlClient tx, String keyId) {
    return exactlyOne(tx, MARK_EARLY, Tuple.of(keyId), "mark early", keyId);
  }

  public Future<Void> delete(SqlClient tx, String keyId) {
    return exactlyOne(tx, DELETE, Tuple.of(keyId), "delete", keyId);
  }

  /**
   * A transition that matches no row means the state changed under us: fail, so the transaction
   * rolls back.
   */
  private static Future<Void> exactlyOne(
      SqlClient tx, String sql, Tuple args, String what, String keyId) {
    return tx.preparedQuery(sql)
        .execute(args)
        .compose(
            rs ->
                rs.rowCount() == 1
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        new IllegalStateException(
                            "cannot " + what + " " + keyId + ": its state changed")));
  }

  private static ServerKey key(Row r) {
    return new ServerKey(
        r.getString("key_id"),
        KeyState.valueOf(r.getString("state").toUpperCase(Locale.ROOT)),
        Instant.ofEpochMilli(r.getLong("created_ts")),
        instant(r.getLong("activated_ts")),
        instant(r.getLong("expired_ts")),
        instant(r.getLong("revoked_ts")),
        r.getBoolean("early"));
  }

  private static Instant instant(Long ms) {
    return ms == null ? null : Instant.ofEpochMilli(ms);
  }
}
