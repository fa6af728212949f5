package org.keydir.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;

/**
 * The tests' PostgreSQL: {@code KEYDIR_TEST_DATABASE_URL} when set, else one embedded server per
 * test JVM started by the product's own {@link EmbeddedDatabase}. Each caller gets a fresh database.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String serverUrl;

  private TestDatabase() {}

  public static synchronized String serverUrl() {
    if (serverUrl == null) {
      String configured = System.getenv("KEYDIR_TEST_DATABASE_URL");
      if (configured != null && !configured.isBlank()) {
        serverUrl = configured;
      } else {
        try {
          EmbeddedDatabase db = EmbeddedDatabase.start(Files.createTempDirectory("keydir-test-pg"));  // superuser: tests create databases
          Runtime.getRuntime().addShutdownHook(new Thread(db::close));
          serverUrl = db.superuserUrl();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return serverUrl;
  }

  /** A new, empty database on the test server; returns its URL. */
  public static String fresh() {
    String name = "kd_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(serverUrl(), "CREATE DATABASE " + name);
    return withDatabase(serverUrl(), name);
  }

  public static void execute(String url, String sql) {
    DatabaseUrl u = DatabaseUrl.parse(url);
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public static String withDatabase(String url, String database) {
    DatabaseUrl u = DatabaseUrl.parse(url);
    String auth = u.user() + (u.password() == null || u.password().isEmpty() ? "" : ":" + u.password());
    return "postgresql://" + auth + "@" + u.options().getHost() + ":" + u.options().getPort() + "/" + database;
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
