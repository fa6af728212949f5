package org.keydir.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
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

  public CrossSigningAdmin(Pool pool, CrossSigningApprovalStore approvals, AuditStore audit, String serverName,
                           Clock clock) {
    this.pool = pool;
    this.approvals = approvals;
    this.audit = audit;
    this.serverName = serverName;
    this.clock = clock;
  }

  /** Resolves to the window's end (epoch ms). */
  public Future<Long> allowReplacement(String actor, String userId, long forMs) {
    if (!MatrixIds.isUserId(userId) || !MatrixIds.serverOf(userId).equals(serverName)) {
      return Future.failedFuture(KeydirException.invalidParam("%s is not a user of this server", userId));
    }
    if (forMs < 1 || forMs > MAX_WINDOW_MS) {
      return Future.failedFuture(KeydirException.invalidParam("'for_ms' must be 1..%d", MAX_WINDOW_MS));
    }
    long now = clock.millis();
    long until = now + forMs;
    String details = JsonNodeFactory.instance.objectNode().put("for_ms", forMs).put("expires_ts", until).toString();
    return pool.withTransaction(tx -> approvals.open(tx, userId, until, actor, now)
        .compose(v -> audit.append(tx, AuditEntry.of(now, actor, "cross_signing.allow_replacement", userId, null, details))))
        .map(until);
  }
}
