package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/** keydir as a separate OS process, as an operator runs it, killed with SIGKILL. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KillDashNineTest {
  @Test
  void
      after_kill_9_the_orphaned_embedded_postgres_is_handled_and_every_committed_write_is_still_there()
          throws Exception {
    Path dataDir = TestDatabase.tempDir("keydir-kill9");
    int port = freePort();
    Http http = new Http("http://127.0.0.1:" + port);

    Process first = serve(dataDir, port);
    TestKeydir.Device device;
    try {
      awaitReady(http, first);
      device = createDevice(http);
    } finally {
      first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, postgres is orphaned
    }
    assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

    Process second = serve(dataDir, port);
    try {
      awaitReady(http, second);
      Http.Response r = http.get("/_matrix/client/v3/account/whoami", device.token());
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().get("device_id").asText()).isEqualTo(device.deviceId());
    } finally {
      second.destroy(); // SIGTERM: graceful, stops postgres too
      assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
  }

  @Test
  void migrate_runs_beside_a_serving_keydir_on_the_same_data_dir() throws Exception {
    Path dataDir = TestDatabase.tempDir("keydir-migrate-beside");
    int port = freePort();
    Http http = new Http("http://127.0.0.1:" + port);
    Process server = serve(dataDir, port);
    try {
      awaitReady(http, server);
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              "org.keydir.cli.KeydirCli",
              "migrate");
      pb.environment().put("KEYDIR_DATA_DIR", dataDir.toString());
      pb.redirectErrorStream(true);
      Process migrate = pb.start();
      String out = new String(migrate.getInputStream().readAllBytes());
      assertThat(migrate.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(migrate.exitValue()).as(out).isZero();
      assertThat(http.get("/ready", null).status()).as("still serving").isEqualTo(200);
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * A normal start and stop, as an operator sees it: no warning, no stack trace, no colour codes.
   */
  @Test
  void a_normal_restart_logs_no_warning_and_a_normal_stop_no_stack_trace() throws Exception {
    Path dataDir = TestDatabase.tempDir("keydir-clean-logs");
    int port = freePort();
    Http http = new Http("http://127.0.0.1:" + port);
    for (int run = 0; run < 2; run++) { // the first start generates the secrets (and says so)
      Process p = serve(dataDir, port);
      awaitReady(http, p);
      p.destroy();
      assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    File[] logs =
        dataDir.toFile().listFiles((d, n) -> n.startsWith("keydir-") && n.endsWith(".log"));
    assertThat(logs).hasSize(2);
    java.util.Arrays.sort(logs);
    String second = java.nio.file.Files.readString(logs[1].toPath());
    assertThat(second)
        .contains("keydir serving")
        .contains("keydir stopped")
        .doesNotContain(" WARN ")
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("\u001b[");
  }

  private static TestKeydir.Device createDevice(Http http) {
    Http.Response r =
        http.post(
            "/_keydir/admin/v1/devices",
            TestKeydir.ADMIN_TOKEN,
            "{\"user_id\":\"@k9:localhost\",\"device_id\":\"K9DEV\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return new TestKeydir.Device("@k9:localhost", "K9DEV", r.json().get("access_token").asText());
  }

  private static Process serve(Path dataDir, int port) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "org.keydir.cli.KeydirCli",
            "serve");
    pb.environment().put("KEYDIR_DATA_DIR", dataDir.toString());
    pb.environment().put("KEYDIR_LISTEN_PORT", Integer.toString(port));
    pb.environment().put("KEYDIR_ADMIN_TOKEN", TestKeydir.ADMIN_TOKEN);
    pb.redirectErrorStream(true)
        .redirectOutput(new File(dataDir.toFile(), "keydir-" + System.nanoTime() + ".log"));
    return pb.start();
  }

  private static void awaitReady(Http http, Process p) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      assertThat(p.isAlive()).as("keydir process exited early").isTrue();
      try {
        if (http.get("/ready", null).status() == 200) return;
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("keydir not ready within 60 s");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
