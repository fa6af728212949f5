package org.keydir.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a {@code kill -9} of keydir its PostgreSQL child keeps running and holds {@code
 * postmaster.pid}, so a new server cannot start. Called only while keydir holds the data folder's
 * lock, i.e. when that server is certainly an orphan: it is asked to do a fast shutdown (SIGINT;
 * committed data is safe, it was fsynced), and a pid file left by a dead process is removed.
 */
final class StalePostmaster {
  private static final Logger LOG = LoggerFactory.getLogger(StalePostmaster.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);

  private StalePostmaster() {}

  static void stopIfOrphaned(Path pgData) throws IOException {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    Optional<ProcessHandle> process =
        readPid(pidFile)
            .flatMap(ProcessHandle::of)
            .filter(ProcessHandle::isAlive)
            .filter(StalePostmaster::looksLikePostgres);
    if (process.isEmpty()) {
      LOG.warn("removing stale {} (no postgres runs with that pid)", pidFile);
      Files.deleteIfExists(pidFile);
      return;
    }
    long pid = process.get().pid();
    LOG.warn("an orphaned embedded PostgreSQL (pid {}) still runs on {}: stopping it", pid, pgData);
    signal(pid, "INT");
    Instant deadline = Instant.now().plus(STOP_WAIT);
    while (process.get().isAlive() && Instant.now().isBefore(deadline)) {
      sleep(50);
    }
    if (process.get().isAlive()) {
      throw new IllegalStateException(
          "orphaned PostgreSQL pid " + pid + " did not stop within " + STOP_WAIT);
    }
    // A postmaster that got SIGINT removes its own pid file; wait for that to be visible.
    while (Files.exists(pidFile) && Instant.now().isBefore(deadline)) {
      sleep(20);
    }
  }

  private static Optional<Long> readPid(Path pidFile) throws IOException {
    try {
      String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
      return Optional.of(Long.parseLong(first));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean looksLikePostgres(ProcessHandle p) {
    return p.info()
        .command()
        .map(c -> c.endsWith("postgres") || c.contains("/postgres"))
        .orElse(true);
  }

  private static void signal(long pid, String signal) throws IOException {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping pid " + pid, e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
