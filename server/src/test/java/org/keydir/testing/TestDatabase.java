package org.keydir.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;

/**
 * The tests' PostgreSQL: {@code KEYDIR_TEST_DATABASE_URL} when set, else one embedded server per
 * test JVM started by the product's own {@link EmbeddedDatabase}. Each caller gets a fresh
 * database.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String serverUrl;
  private static EmbeddedDatabase embedded;

  /**
   * Every temporary folder the tests made: deleted when the test JVM exits (they held 16 GB after a
   * few hundred runs).
   */
  private static final List<Path> TEMPORARY =
      java.util.Collections.synchronizedList(new ArrayList<>());

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (TestDatabase.class) {
                    if (embedded != null) embedded.close();
                  }
                  List<Path> folders;
                  synchronized (TEMPORARY) {
                    folders = new ArrayList<>(TEMPORARY);
                  }
                  folders.forEach(TestDatabase::deleteQuietly);
                },
                "test-temp-cleanup"));
  }

  private TestDatabase() {}

  public static synchronized String serverUrl() {
    if (serverUrl == null) {
      String configured = System.getenv("KEYDIR_TEST_DATABASE_URL");
      if (configured != null && !configured.isBlank()) {
        serverUrl = configured;
      } else {
        embedded =
            EmbeddedDatabase.start(tempDir("keydir-test-pg")); // superuser: tests create databases
        serverUrl = embedded.superuserUrl();
      }
    }
    return serverUrl;
  }

  /**
   * A new, empty database on the test server; returns its URL. On a Citus coordinator (its
   * maintenance database has the citus extension and worker nodes), the new database is a Citus
   * cluster over the same nodes: created on every node, the extension in each, the workers added.
   */
  public static String fresh() {
    String name = "kd_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(serverUrl(), "CREATE DATABASE " + name);
    String url = withDatabase(serverUrl(), name);
    List<String> workers = citusWorkers();
    if (!workers.isEmpty()) {
      for (String worker : workers) {
        String workerUrl = withDatabase(withHost(serverUrl(), worker), name);
        if (!hasDatabase(withHost(serverUrl(), worker), name))
          execute(withHost(serverUrl(), worker), "CREATE DATABASE " + name);
        execute(workerUrl, "CREATE EXTENSION IF NOT EXISTS citus");
      }
      DatabaseUrl coordinator = DatabaseUrl.parse(url);
      execute(url, "CREATE EXTENSION citus");
      execute(
          url,
          "SELECT citus_set_coordinator_host('"
              + coordinator.options().getHost()
              + "', "
              + coordinator.options().getPort()
              + ")");
      for (String worker : workers) {
        String[] hp = worker.split(":");
        execute(url, "SELECT citus_add_node('" + hp[0] + "', " + hp[1] + ")");
      }
    }
    return url;
  }

  /**
   * True when the tests run on a Citus cluster (KEYDIR_TEST_DATABASE_URL names its coordinator).
   */
  public static boolean onCitus() {
    return !citusWorkers().isEmpty();
  }

  private static List<String> citusWorkers;

  private static synchronized List<String> citusWorkers() {
    if (citusWorkers == null) {
      DatabaseUrl u = DatabaseUrl.parse(serverUrl());
      List<String> out = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
          Statement s = c.createStatement()) {
        ResultSet ext = s.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
        if (ext.next()) {
          ResultSet r =
              s.executeQuery(
                  "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeid");
          while (r.next()) out.add(r.getString(1) + ":" + r.getInt(2));
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "could not look for Citus on the test server: " + e.getMessage(), e);
      }
      citusWorkers = List.copyOf(out);
      if (!out.isEmpty()) dropStaleDatabases();
    }
    return citusWorkers;
  }

  /**
   * Test databases of earlier test JVMs, on every node: on Citus each database keeps a maintenance
   * worker per node (deadlock detection, 2PC recovery), and max_worker_processes bounds them.
   */
  private static void dropStaleDatabases() {
    List<String> nodes = new ArrayList<>(citusWorkers);
    DatabaseUrl u = DatabaseUrl.parse(serverUrl());
    nodes.add(0, u.options().getHost() + ":" + u.options().getPort());
    for (String node : nodes) {
      String url = withHost(serverUrl(), node);
      List<String> stale = new ArrayList<>();
      DatabaseUrl n = DatabaseUrl.parse(url);
      try (Connection c = DriverManager.getConnection(n.jdbcUrl(), n.user(), n.password());
          Statement s = c.createStatement()) {
        ResultSet r =
            s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'kd\\_test\\_%'");
        while (r.next()) stale.add(r.getString(1));
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      for (String name : stale) {
        long pid = Long.parseLong(name.split("_")[2]);
        if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
          execute(url, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
      }
    }
  }

  private static boolean hasDatabase(String url, String name) {
    DatabaseUrl u = DatabaseUrl.parse(url);
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
        Statement s = c.createStatement()) {
      return s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'").next();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static String withHost(String url, String hostPort) {
    DatabaseUrl u = DatabaseUrl.parse(url);
    String auth =
        u.user() + (u.password() == null || u.password().isEmpty() ? "" : ":" + u.password());
    return "postgresql://" + auth + "@" + hostPort + "/" + u.options().getDatabase();
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
    String auth =
        u.user() + (u.password() == null || u.password().isEmpty() ? "" : ":" + u.password());
    return "postgresql://"
        + auth
        + "@"
        + u.options().getHost()
        + ":"
        + u.options().getPort()
        + "/"
        + database;
  }

  public static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      TEMPORARY.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort at exit: a folder a child process still writes to is left behind
    }
  }
}
