package org.keydir.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the ordered migrations of top-level {@code sql/} (shipped in the jar) with Flyway, before
 * keydir serves. Flyway serialises concurrent migrators on PostgreSQL with an advisory lock, so
 * replicas starting at the same moment apply each migration exactly once.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * Migrates, then places new tables on Citus when the database has it (see {@link CitusLayout}).
   */
  public static void apply(DatabaseUrl url, CitusLayout.Mode citus) {
    apply(url);
    CitusLayout.apply(url, citus);
  }

  public static void apply(DatabaseUrl url) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(url.jdbcUrl(), url.user(), url.password())
            .locations("classpath:keydir/sql")
            .table("keydir_schema_history")
            .loggers("slf4j")
            .load()
            .migrate();
    LOG.info(
        "schema migrated ({} migrations applied now, target {})",
        result.migrationsExecuted,
        result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion);
  }
}
