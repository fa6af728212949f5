package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.store.DatabaseUrl;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * `keydir serve` against a database that is not there, or refuses it: retried, then one clear line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DatabaseAtStartTest {
  record Run(int exit, String output, long millis) {}

  private static Run serve(Map<String, String> env) throws Exception {
    Path dir = TestDatabase.tempDir("keydir-db-at-start");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "org.keydir.cli.KeydirCli",
            "serve");
    pb.environment().put("KEYDIR_DATA_DIR", dir.toString());
    pb.environment().put("KEYDIR_LISTEN_PORT", "0");
    pb.environment().put("KEYDIR_ADMIN_TOKEN", TestKeydir.ADMIN_TOKEN);
    pb.environment().put("KEYDIR_KEY_ENCRYPTION_KEY", TestKeydir.KEY_ENCRYPTION_KEY);
    pb.environment().putAll(env);
    Path out = dir.resolve("out.log");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keydir gave up in time").isTrue();
    return new Run(p.exitValue(), Files.readString(out), (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void a_database_that_is_not_up_is_retried_for_the_startup_timeout_then_one_line()
      throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r =
        serve(
            Map.of(
                "KEYDIR_DATABASE_URL",
                "postgresql://keydir:secret-pw@127.0.0.1:" + port + "/keydir",
                "KEYDIR_DATABASE_STARTUP_TIMEOUT",
                "3s",
                "KEYDIR_DATABASE_CONNECT_TIMEOUT_MS",
                "1000"));
    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    List<String> lines = r.output().lines().toList();
    assertThat(lines.stream().filter(l -> l.contains("not reachable yet")).count())
        .as(r.output())
        .isGreaterThanOrEqualTo(2);
    assertThat(lines.get(lines.size() - 1))
        .startsWith("keydir: database 127.0.0.1:" + port + "/keydir not reachable within");
    assertThat(r.output()).doesNotContain("\tat ").doesNotContain("secret-pw");
    assertThat(r.millis()).isGreaterThanOrEqualTo(3_000);
  }

  @Test
  void a_refused_password_fails_at_once_in_one_line() throws Exception {
    DatabaseUrl real = DatabaseUrl.parse(TestDatabase.fresh());
    String wrong =
        "postgresql://"
            + real.user()
            + ":not-the-password@"
            + real.options().getHost()
            + ":"
            + real.options().getPort()
            + "/"
            + real.options().getDatabase();
    Run r = serve(Map.of("KEYDIR_DATABASE_URL", wrong, "KEYDIR_DATABASE_STARTUP_TIMEOUT", "30s"));
    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    List<String> lines = r.output().lines().toList();
    assertThat(lines.get(lines.size() - 1))
        .contains("refused keydir")
        .contains("check database.url");
    assertThat(r.output())
        .doesNotContain("\tat ")
        .doesNotContain("not-the-password")
        .doesNotContain("not reachable yet");
    assertThat(r.millis()).isLessThan(20_000);
  }
}
