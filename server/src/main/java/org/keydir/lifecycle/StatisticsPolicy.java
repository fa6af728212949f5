package org.keydir.lifecycle;

/**
 * Which tables need fresh planner statistics now (pure). PostgreSQL caches a connection's plans
 * until a table's statistics change, and a table nothing has analyzed yet is planned as if it were
 * tiny: plans cached while {@code one_time_keys} was empty read whole key ranges or the whole table
 * once uploads had filled it (issue 17, {@code PlansOnAGrowingTableTest}). Autovacuum analyzes
 * eventually, but only once per {@code autovacuum_naptime} (a minute by default) and not at all
 * where an operator turned it off. This backstop analyzes a table once it has changed by as many
 * rows as it held at its last analysis (and by at least {@link #MIN_CHANGED_ROWS}): a table that
 * grows from empty to n rows is analyzed about log2(n) times, and a steady one never.
 */
public final class StatisticsPolicy {
  public static final long MIN_CHANGED_ROWS = 1_000;

  /**
   * @param table the table's name
   * @param rowsAtLastAnalysis {@code pg_class.reltuples}: negative when never analyzed
   * @param changedSinceAnalysis {@code pg_stat_user_tables.n_mod_since_analyze}
   */
  public record TableActivity(String table, double rowsAtLastAnalysis, long changedSinceAnalysis) {}

  private StatisticsPolicy() {}

  public static boolean needsAnalysis(TableActivity t) {
    return t.changedSinceAnalysis() >= Math.max(MIN_CHANGED_ROWS, t.rowsAtLastAnalysis());
  }
}
