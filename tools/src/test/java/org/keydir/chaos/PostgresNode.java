package org.keydir.chaos;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;

/**
 * The database every instance shares: a dedicated embedded PostgreSQL the harness can restart on
 * the same port (the default), or an existing server given by URL (then it is never restarted).
 */
final class PostgresNode implements AutoCloseable {
  private final Path dir;
  private final String url;
  private final Outages outages = new Outages();
  private EmbeddedDatabase embedded;
  private int restarts;

  private PostgresNode(Path dir, EmbeddedDatabase embedded, String url) {
    this.dir = dir;
    this.embedded = embedded;
    this.url = url;
  }

  static PostgresNode embedded(Path dir) {
    EmbeddedDatabase db = EmbeddedDatabase.start(dir);
    return new PostgresNode(dir, db, db.url());
  }

  static PostgresNode external(String url) {
    return new PostgresNode(null, null, url);
  }

  boolean restartable() {
    return dir != null;
  }

  String url() {
    return url;
  }

  Outages outages() {
    return outages;
  }

  int restarts() {
    return restarts;
  }

  /**
   * A fast shutdown (open transactions are rolled back), {@code downMs} of nothing, then a start on
   * the same port.
   */
  synchronized void restart(long downMs) throws InterruptedException {
    if (!restartable()) throw new IllegalStateException("an external database is not restarted");
    int port = embedded.port();
    outages.begin();
    try {
      embedded.close();
      Thread.sleep(downMs);
      embedded = EmbeddedDatabase.start(dir, port);
      restarts++;
    } finally {
      outages.end();
    }
  }

  Connection connect() throws SQLException {
    DatabaseUrl u = DatabaseUrl.parse(url);
    return DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
  }

  @Override
  public synchronized void close() {
    if (embedded != null) embedded.close();
  }
}
