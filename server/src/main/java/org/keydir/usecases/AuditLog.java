package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import org.keydir.admin.AuditEntry;
import org.keydir.keys.KeydirException;
import org.keydir.store.AuditStore;

/** Reads the audit log, newest first, paginated by entry id. */
public final class AuditLog {
  public static final int MAX_LIMIT = 1_000;
  private final Pool pool;
  private final AuditStore store;

  public AuditLog(Pool pool, AuditStore store) {
    this.pool = pool;
    this.store = store;
  }

  public record Page(List<AuditEntry> entries, Optional<Long> nextFrom) {}

  /**
   * {@code from}: an id from a previous page's {@code next_from}; entries strictly older are
   * returned.
   */
  public Future<Page> list(Optional<String> userId, Optional<Long> from, int limit) {
    if (limit < 1 || limit > MAX_LIMIT)
      throw KeydirException.invalidParam("'limit' must be 1..%d", MAX_LIMIT);
    return store
        .list(pool, userId.orElse(null), from.orElse(Long.MAX_VALUE), limit + 1)
        .map(
            rows ->
                rows.size() <= limit
                    ? new Page(rows, Optional.empty())
                    : new Page(rows.subList(0, limit), Optional.of(rows.get(limit - 1).id())));
  }
}
