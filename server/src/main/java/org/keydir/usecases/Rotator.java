package org.keydir.usecases;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.keydir.admin.AuditEntry;
import org.keydir.config.RotationConfig;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.SecretBox;
import org.keydir.serverkeys.KeyState;
import org.keydir.serverkeys.Op;
import org.keydir.serverkeys.RotationPolicy;
import org.keydir.serverkeys.ServerKey;
import org.keydir.store.AuditStore;
import org.keydir.store.ServerKeyStore;
import org.keydir.store.ServerKeyStore.StoredKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rotation policy: in one transaction, take the rotators' advisory lock, read the keys,
 * decide ({@link RotationPolicy}, pure), apply (key material is made here), check that exactly one
 * key is active, commit. Every replica runs it on an interval; only the lock holder acts, the
 * others skip the round. Operator actions (rotate early, revoke) go through the same path.
 */
public final class Rotator {
  private static final Logger LOG = LoggerFactory.getLogger(Rotator.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private final Pool pool;
  private final ServerKeyStore store;
  private final AuditStore audit;
  private final SecretBox box;
  private final RotationConfig cfg;
  private final Clock clock;

  public Rotator(
      Pool pool,
      ServerKeyStore store,
      AuditStore audit,
      SecretBox box,
      RotationConfig cfg,
      Clock clock) {
    this.pool = pool;
    this.store = store;
    this.audit = audit;
    this.box = box;
    this.cfg = cfg;
    this.clock = clock;
  }

  /** One scheduled round; returns the ops applied (none when another replica held the lock). */
  public Future<List<Op>> runOnce() {
    return pool.withTransaction(
        tx ->
            store
                .tryLock(tx)
                .compose(
                    won ->
                        !won
                            ? Future.succeededFuture(List.<Op>of())
                            : run(
                                tx,
                                "rotator",
                                keys -> RotationPolicy.decide(keys, cfg, clock.instant()))));
  }

  public Future<List<Op>> rotateEarly(String actor) {
    return pool.withTransaction(
        tx ->
            store
                .lock(tx)
                .compose(
                    v ->
                        run(
                            tx,
                            actor,
                            keys -> RotationPolicy.rotateEarly(keys, cfg, clock.instant()))));
  }

  public Future<List<Op>> revoke(String actor, String keyId) {
    return pool.withTransaction(
        tx ->
            store
                .lock(tx)
                .compose(
                    v ->
                        run(
                            tx,
                            actor,
                            keys -> RotationPolicy.revoke(keys, keyId, clock.instant()))));
  }

  private Future<List<Op>> run(
      SqlClient tx, String actor, Function<List<ServerKey>, List<Op>> decide) {
    Instant now = clock.instant();
    return store
        .all(tx)
        .map(stored -> decide.apply(stored.stream().map(StoredKey::key).toList()))
        .compose(ops -> apply(tx, ops, now).map(ops))
        .compose(
            ops ->
                store
                    .all(tx)
                    .compose(
                        after -> {
                          long active =
                              after.stream().filter(k -> k.key().is(KeyState.ACTIVE)).count();
                          if (active != 1)
                            return Future.failedFuture(
                                new IllegalStateException(
                                    "rotation would leave "
                                        + active
                                        + " active keys; rolled back: "
                                        + ops));
                          return Future.succeededFuture(ops);
                        }))
        .compose(ops -> auditAll(tx, actor, ops, now).map(ops))
        // delivered at commit: every replica reloads its key ring at once (ServerKeyNotices)
        .compose(
            ops ->
                ops.isEmpty()
                    ? Future.succeededFuture(ops)
                    : tx.query("NOTIFY " + ServerKeyNotices.CHANNEL).execute().map(ops))
        .onSuccess(ops -> ops.forEach(op -> LOG.info("signing keys: {} ({})", op, actor)));
  }

  /** Transitions that free the single active slot go first (the database allows one active key). */
  private Future<Void> apply(SqlClient tx, List<Op> ops, Instant now) {
    List<Op> ordered = new ArrayList<>(ops);
    ordered.sort(
        Comparator.comparingInt(
            op ->
                switch (op.kind()) {
                  case REVOKE, EXPIRE -> 0;
                  case MARK_EARLY, ACTIVATE -> 1;
                  case CREATE -> 2;
                  case DELETE -> 3;
                }));
    Future<Void> chain = Future.succeededFuture();
    for (Op op : ordered) {
      chain =
          chain.compose(
              v ->
                  switch (op.kind()) {
                    case CREATE -> store.insert(tx, newKey(op, now));
                    case ACTIVATE -> store.activate(tx, op.keyId(), now);
                    case EXPIRE -> store.expire(tx, op.keyId(), now);
                    case REVOKE -> store.revoke(tx, op.keyId(), now);
                    case MARK_EARLY -> store.markEarly(tx, op.keyId());
                    case DELETE -> store.delete(tx, op.keyId());
                  });
    }
    return chain;
  }

  private StoredKey newKey(Op op, Instant now) {
    StringBuilder version = new StringBuilder();
    for (int i = 0; i < 8; i++) version.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
    String keyId = "ed25519:" + version;
    Ed25519.KeyPair pair = Ed25519.generate(RANDOM);
    ServerKey key = ServerKey.pending(keyId, now, op.early());
    if (op.activeNow()) key = key.activate(now);
    return new StoredKey(key, pair.publicKeyBase64(), box.seal(pair.seed(), keyId));
  }

  private Future<Void> auditAll(SqlClient tx, String actor, List<Op> ops, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (Op op : ops) {
      ObjectNode details =
          JsonNodeFactory.instance
              .objectNode()
              .put("op", op.kind().name().toLowerCase(java.util.Locale.ROOT))
              .put("reason", op.reason());
      if (op.keyId() != null) details.put("key_id", op.keyId());
      chain =
          chain.compose(
              v ->
                  audit.append(
                      tx,
                      AuditEntry.of(
                          now.toEpochMilli(),
                          actor,
                          "server_key." + op.kind().name().toLowerCase(java.util.Locale.ROOT),
                          "",
                          null,
                          details.toString())));
    }
    return chain;
  }
}
