package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.keydir.lifecycle.RetentionPolicy;
import org.keydir.store.RetentionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every table's lifecycle (docs/operations.md): each tick, on whichever replica takes the advisory
 * lock first (the others skip the tick), deletes one batch of claimed-key tombstones past {@code
 * limits.claimed_key_retention}, one of audit rows past {@code audit.retention} and one of peer
 * keys past their validity plus a day, each in user order from where the last batch stopped, and
 * closes approval windows for cross-signing replacements that expired unused (audited).
 */
public final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  private static final long LOCK = 7164002;
  static final long PEER_KEY_GRACE_MS = 24L * 3600 * 1000;

  /** A client with an older device-list token resyncs fully, as after any long absence. */
  static final long DEVICE_LIST_CHANGE_RETENTION_MS = 30L * 24 * 3600 * 1000;

  private final Pool pool;
  private final RetentionStore store;
  private final Clock clock;
  private final long tombstoneRetentionMs;
  private final long auditRetentionMs;
  private final int batch;
  private volatile String tombstoneCursor = RetentionPolicy.FIRST_USER;
  private volatile String auditCursor = RetentionPolicy.FIRST_USER;

  private final org.keydir.store.AuditStore audit;

  public Retention(
      Pool pool,
      RetentionStore store,
      org.keydir.store.AuditStore audit,
      Clock clock,
      long tombstoneRetentionMs,
      long auditRetentionMs,
      int batch) {
    this.pool = pool;
    this.audit = audit;
    this.store = store;
    this.clock = clock;
    this.tombstoneRetentionMs = tombstoneRetentionMs;
    this.auditRetentionMs = auditRetentionMs;
    this.batch = batch;
  }

  /** An approval window nobody used is closed and audited as expired. */
  private Future<Integer> expireApprovals(io.vertx.sqlclient.SqlClient tx, long now) {
    return store
        .deleteExpiredApprovals(tx, now, batch)
        .compose(
            expired -> {
              Future<Void> chain = Future.succeededFuture();
              for (String[] e : expired) {
                chain =
                    chain.compose(
                        v ->
                            audit.append(
                                tx,
                                org.keydir.admin.AuditEntry.of(
                                    now,
                                    "retention",
                                    "cross_signing.approval_expired",
                                    e[0],
                                    null,
                                    "{\"expires_ts\":" + e[1] + "}")));
              }
              return chain.map(expired.size());
            });
  }

  /** One tick; resolves to the rows deleted (0 when another replica holds the lock). */
  public Future<Integer> runOnce() {
    long now = clock.millis();
    return pool.withTransaction(
            tx ->
                tx.query("SELECT pg_try_advisory_xact_lock(" + LOCK + ") AS won")
                    .execute()
                    .compose(
                        rows ->
                            !rows.iterator().next().getBoolean("won")
                                ? Future.succeededFuture(0)
                                : store
                                    .deleteTombstones(
                                        tx,
                                        tombstoneCursor,
                                        RetentionPolicy.cutoff(now, tombstoneRetentionMs),
                                        batch)
                                    .compose(
                                        t -> {
                                          tombstoneCursor =
                                              RetentionPolicy.nextCursor(
                                                  t.deleted(), batch, t.lastUser());
                                          return store
                                              .deleteAudit(
                                                  tx,
                                                  auditCursor,
                                                  RetentionPolicy.cutoff(now, auditRetentionMs),
                                                  batch)
                                              .compose(
                                                  a -> {
                                                    auditCursor =
                                                        RetentionPolicy.nextCursor(
                                                            a.deleted(), batch, a.lastUser());
                                                    return store
                                                        .deletePeerKeys(
                                                            tx, now - PEER_KEY_GRACE_MS, batch)
                                                        .compose(
                                                            p ->
                                                                expireApprovals(tx, now)
                                                                    .map(x -> p + x))
                                                        .compose(
                                                            px ->
                                                                store
                                                                    .deleteDeviceListChanges(
                                                                        tx,
                                                                        now
                                                                            - DEVICE_LIST_CHANGE_RETENTION_MS,
                                                                        batch)
                                                                    .map(
                                                                        c ->
                                                                            t.deleted()
                                                                                + a.deleted()
                                                                                + px
                                                                                + c));
                                                  });
                                        })))
        .onSuccess(
            n -> {
              if (n > 0) LOG.debug("retention: {} rows deleted", n);
            });
  }
}
