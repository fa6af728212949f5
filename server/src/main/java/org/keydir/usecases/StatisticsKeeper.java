package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.keydir.lifecycle.StatisticsPolicy;
import org.keydir.store.StatisticsStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each tick, on whichever replica takes the advisory lock first, analyzes the tables {@link
 * StatisticsPolicy} names. ANALYZE invalidates every connection's cached plans of the table, so the
 * next execution is planned on the table as it is.
 */
public final class StatisticsKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(StatisticsKeeper.class);
  private static final long LOCK = 7164003;

  /** Often enough that a fresh database's first minute of uploads is not planned as empty. */
  public static final long INTERVAL_MS = 5_000;

  private final Pool pool;
  private final StatisticsStore store;

  public StatisticsKeeper(Pool pool, StatisticsStore store) {
    this.pool = pool;
    this.store = store;
  }

  /** One tick; resolves to the tables analyzed (none when another replica holds the lock). */
  public Future<List<String>> runOnce() {
    return pool.withTransaction(
            tx ->
                tx.query("SELECT pg_try_advisory_xact_lock(" + LOCK + ") AS won")
                    .execute()
                    .compose(
                        rows ->
                            !rows.iterator().next().getBoolean("won")
                                ? Future.succeededFuture(List.<String>of())
                                : store
                                    .activity(tx)
                                    .compose(
                                        tables -> {
                                          List<String> stale =
                                              tables.stream()
                                                  .filter(StatisticsPolicy::needsAnalysis)
                                                  .map(StatisticsPolicy.TableActivity::table)
                                                  .toList();
                                          Future<Void> chain = Future.succeededFuture();
                                          for (String t : stale)
                                            chain = chain.compose(v -> store.analyze(tx, t));
                                          return chain.map(v -> stale);
                                        })))
        .onSuccess(
            analyzed -> {
              if (!analyzed.isEmpty()) LOG.debug("planner statistics refreshed: {}", analyzed);
            });
  }
}
