package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import org.keydir.lifecycle.StatisticsPolicy.TableActivity;

/** Planner statistics of keydir's own tables (those of the connection's schema). */
public final class StatisticsStore {
  private static final String ACTIVITY =
      """
      SELECT s.relname, c.reltuples, s.n_mod_since_analyze
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = current_schema()""";

  public Future<List<TableActivity>> activity(SqlClient db) {
    return db.query(ACTIVITY)
        .execute()
        .map(
            rows -> {
              List<TableActivity> out = new ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new TableActivity(
                              r.getString("relname"),
                              r.getDouble("reltuples"),
                              r.getLong("n_mod_since_analyze"))));
              return out;
            });
  }

  /** The name comes from the catalog above; quoted all the same. */
  public Future<Void> analyze(SqlClient db, String table) {
    return db.query("ANALYZE \"" + table.replace("\"", "\"\"") + "\"").execute().mapEmpty();
  }
}
