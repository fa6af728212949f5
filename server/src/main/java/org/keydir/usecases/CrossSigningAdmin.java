package org.keydir.usecases;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.keydir.admin.AuditEntry;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.KeydirException;
import org.keydir.store.AuditStore;
import org.keydir.store.CrossSigningApprovalStore;

/**
 * The operator's approval of a cross-signing identity replacement (shared by the admin API and the
 * CLI): opens a window of {@code forMs} (default 10 minutes, at most 1 hour) for one user, in which
 * the next replacing {@code /keys/device_signing/upload} succeeds and closes it. Audited.
 */
public final class CrossSigningAdmin {
  public static final long DEFAULT_WINDOW_MS = 10 * 60_000;
  public static final long MAX_WINDOW_MS = 60 * 60_000;
  private final Pool pool;
  private final CrossSigningApprovalStore approvals;
  private final AuditStore audit;
  private final String serverName;
  private final Clock clock;

  private final org.keydir.store.CrossSigningKeyStore keys;
  private final org.keydir.store.KeySignatureStore signatures;
  private final org.keydir.store.DeviceListStore deviceLists;

  public CrossSigningAdmin(
      Pool pool,
      CrossSigningApprovalStore approvals,
      AuditStore audit,
      String serverName,
      Clock clock,
      org.keydir.store.CrossSigningKeyStore keys,
      org.keydir.store.KeySignatureStore signatures,
      org.keydir.store.DeviceListStore deviceLists) {
    this.keys = keys;
    this.signatures = signatures;
    this.deviceLists = deviceLists;
    this.pool = pool;
    this.approvals = approvals;
    this.audit = audit;
    this.serverName = serverName;
    this.clock = clock;
  }

  /**
   * The user's cross-signing keys for an operator: usage → {public_key, signed_by: ["<user> <key
   * id>", …]} (signatures in the uploaded key and uploaded later). Never private material (keydir
   * holds none).
   */
  public Future<com.fasterxml.jackson.databind.node.ObjectNode> show(String userId) {
    requireLocal(userId);
    var stored = this.keys.forUsers(pool, java.util.List.of(userId));
    var sigs = signatures.forUsers(pool, java.util.List.of(userId));
    return Future.all(stored, sigs)
        .map(
            v -> {
              var out = JsonNodeFactory.instance.objectNode().put("user_id", userId);
              for (var k : stored.result()) {
                var entry = out.putObject(k.usage()).put("public_key", k.publicKey());
                var by = entry.putArray("signed_by");
                org.keydir.crypto.CanonicalJson.parse(k.json())
                    .path("signatures")
                    .properties()
                    .forEach(
                        u ->
                            u.getValue()
                                .properties()
                                .forEach(s -> by.add(u.getKey() + " " + s.getKey())));
                sigs.result().stream()
                    .filter(s -> s.targetKeyId().equals(k.publicKey()))
                    .forEach(s -> by.add(s.signerUserId() + " " + s.signerKeyId()));
              }
              return out;
            });
  }

  /**
   * Deletes the user's cross-signing identity: the keys, the signatures on them and made by them,
   * any open approval; audited, and one device-list position (others must re-query the user).
   */
  public Future<Integer> delete(String actor, String userId) {
    requireLocal(userId);
    long now = clock.millis();
    var keyStore = keys;
    var sigStore = signatures;
    return pool.withTransaction(
        tx ->
            keyStore
                .lockUser(tx, userId)
                .compose(v -> keyStore.forUsers(tx, java.util.List.of(userId)))
                .compose(
                    keys -> {
                      Future<Void> chain = Future.succeededFuture();
                      for (var k : keys) {
                        chain =
                            chain
                                .compose(v -> sigStore.deleteOnAndBy(tx, userId, k.publicKey()))
                                .compose(v -> keyStore.delete(tx, userId, k.usage()));
                      }
                      String details =
                          JsonNodeFactory.instance
                              .objectNode()
                              .put("keys_deleted", keys.size())
                              .toString();
                      return chain
                          .compose(v -> approvals.take(tx, userId))
                          .compose(
                              v ->
                                  deviceLists.bump(
                                      tx,
                                      userId,
                                      null,
                                      org.keydir.keys.DeviceListChange.Kind.CROSS_SIGNING))
                          .compose(
                              v ->
                                  audit.append(
                                      tx,
                                      AuditEntry.of(
                                          now,
                                          actor,
                                          "cross_signing.delete",
                                          userId,
                                          null,
                                          details)))
                          .map(keys.size());
                    }));
  }

  private void requireLocal(String userId) {
    if (!MatrixIds.isUserId(userId) || !MatrixIds.serverOf(userId).equals(serverName)) {
      throw KeydirException.invalidParam("%s is not a user of this server", userId);
    }
  }

  /** Resolves to the window's end (epoch ms). */
  public Future<Long> allowReplacement(String actor, String userId, long forMs) {
    if (!MatrixIds.isUserId(userId) || !MatrixIds.serverOf(userId).equals(serverName)) {
      return Future.failedFuture(
          KeydirException.invalidParam("%s is not a user of this server", userId));
    }
    if (forMs < 1 || forMs > MAX_WINDOW_MS) {
      return Future.failedFuture(
          KeydirException.invalidParam("'for_ms' must be 1..%d", MAX_WINDOW_MS));
    }
    long now = clock.millis();
    long until = now + forMs;
    String details =
        JsonNodeFactory.instance
            .objectNode()
            .put("for_ms", forMs)
            .put("expires_ts", until)
            .toString();
    return pool.withTransaction(
            tx ->
                approvals
                    .open(tx, userId, until, actor, now)
                    .compose(
                        v ->
                            audit.append(
                                tx,
                                AuditEntry.of(
                                    now,
                                    actor,
                                    "cross_signing.allow_replacement",
                                    userId,
                                    null,
                                    details))))
        .map(until);
  }
}
