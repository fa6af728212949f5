package org.keydir.store;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before migrating, keydir waits for a configured database that is not up yet (a database started
 * beside keydir, by compose or Kubernetes, often comes up second): one log line per attempt, for at
 * most {@code database.startup_timeout}, then one clear error. A refused password or a missing
 * database is not waited for (SQLSTATE class 28, 3D000): it will not fix itself.
 */
public final class DatabaseAtStart {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseAtStart.class);
  private static final long PAUSE_MS = 1_000;

  /** keydir cannot start: the reason in one line (no stack trace needed). */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  private DatabaseAtStart() {}

  public static void await(DatabaseUrl url, long timeoutMs, long connectTimeoutMs) {
    String where =
        url.options().getHost() + ":" + url.options().getPort() + "/" + url.options().getDatabase();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    Properties props = new Properties();
    props.setProperty("user", url.user());
    if (url.password() != null) props.setProperty("password", url.password());
    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeoutMs / 1000)));
    props.setProperty("loginTimeout", Long.toString(Math.max(1, connectTimeoutMs / 1000)));
    for (int attempt = 1; ; attempt++) {
      try (var c = DriverManager.getConnection(url.jdbcUrl(), props)) {
        if (attempt > 1) LOG.info("database {} reachable (attempt {})", where, attempt);
        return;
      } catch (SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = oneLine(e);
        if (state.startsWith("28") || state.equals("3D000")) {
          throw new Unavailable(
              "database " + where + " refused keydir: " + reason + " (check database.url)");
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new Unavailable(
              "database "
                  + where
                  + " not reachable within database.startup_timeout ("
                  + timeoutMs / 1000
                  + " s): "
                  + reason);
        }
        LOG.warn(
            "database {} not reachable yet ({}); attempt {}, retrying for {} s more",
            where,
            reason,
            attempt,
            (left + 999) / 1000);
        try {
          Thread.sleep(Math.min(PAUSE_MS, left));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new Unavailable("interrupted while waiting for database " + where);
        }
      }
    }
  }

  private static String oneLine(SQLException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
