package org.keydir.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One keydir as a separate OS process ({@code java -cp … KeydirCli serve}), on a fixed port so a
 * restart after {@code kill -9} comes back where its proxy expects it.
 */
final class KeydirProcess implements AutoCloseable {
  static final String ADMIN_TOKEN = "chaos-admin-token-0123456789abcdef";

  private final int index;
  private final int port;
  private final String databaseUrl;
  private final String serverName;
  private final Path dir;
  private final String classpath;
  private int starts;
  private Process process;
  private Watchdog probeWatchdog = new Watchdog();

  KeydirProcess(int index, String databaseUrl, String serverName, Path dir, String classpath)
      throws IOException {
    this.index = index;
    this.port = freePort();
    this.databaseUrl = databaseUrl;
    this.serverName = serverName;
    this.dir = Files.createDirectories(dir);
    this.classpath = classpath;
  }

  int index() {
    return index;
  }

  int port() {
    return port;
  }

  synchronized void start() throws IOException {
    starts++;
    ProcessBuilder pb =
        new ProcessBuilder(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                "org.keydir.cli.KeydirCli",
                "serve"));
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYDIR_"));
    pb.environment().put("KEYDIR_DATABASE_URL", databaseUrl);
    pb.environment().put("KEYDIR_LISTEN_PORT", Integer.toString(port));
    pb.environment().put("KEYDIR_ADMIN_TOKEN", ADMIN_TOKEN);
    pb.environment().put("KEYDIR_SERVER_NAME", serverName);
    pb.environment().put("KEYDIR_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("KEYDIR_SHUTDOWN_GRACE_MS", "5000");
    pb.environment()
        .put("KEYDIR_KEY_ENCRYPTION_KEY", org.keydir.testing.TestKeydir.KEY_ENCRYPTION_KEY);
    pb.environment().put("KEYDIR_RATE_LIMIT_ENABLED", "false");
    pb.redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(dir.resolve("keydir-" + index + ".log").toFile()));
    process = pb.start();
  }

  /**
   * Starts it and waits for /ready; a start that fails (e.g. the database is restarting) is
   * retried.
   */
  void startReady(long timeoutMs) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      start();
      if (awaitReady(deadline)) return;
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("keydir " + index + " not ready in time");
      kill9();
      Thread.sleep(200);
    }
  }

  /** True once /ready answers 200; false if the process died first or the deadline passed. */
  private boolean awaitReady(long deadlineNanos) throws InterruptedException {
    try (HttpConnection direct = new HttpConnection(port, probeWatchdog, 2000)) {
      while (System.nanoTime() < deadlineNanos) {
        if (!process.isAlive()) return false;
        Exchange r = direct.get("/ready", null);
        if (r.status() == 200) return true;
        direct.close();
        Thread.sleep(100);
      }
      return false;
    }
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests die with the process. */
  synchronized void kill9() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  int starts() {
    return starts;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGTERM, graceful; SIGKILL if it does not stop in time. */
  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    probeWatchdog.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
