package org.keydir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * The README's CLI examples ("Operator tools"), run as written with the default config beside a
 * serving keydir: `./keydir` stands for a launcher of this build's classes (the real script builds
 * the jar first), every line must exit 0.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadmeCliExamplesTest {
  @Test
  void every_cli_example_in_the_readme_runs_as_written() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## Operator tools");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 3));
    List<String> examples =
        section
            .lines()
            .filter(l -> l.startsWith("    ./keydir "))
            .map(String::strip)
            .map(l -> l.replaceAll("\\s+#.*$", ""))
            .toList();
    assertThat(examples).hasSizeGreaterThanOrEqualTo(5);

    Path dir = TestDatabase.tempDir("readme-cli");
    Path launcher = dir.resolve("keydir");
    Files.writeString(
        launcher,
        "#!/bin/sh\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -cp '"
            + System.getProperty("java.class.path")
            + "' org.keydir.cli.KeydirCli \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    Path dataDir = dir.resolve("data");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process server = shell(dir, dataDir, "./keydir serve", port).start();
    try {
      Http http = new Http("http://127.0.0.1:" + port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          if (http.get("/ready", null).status() == 200) break;
        } catch (RuntimeException notYet) {
          assertThat(System.nanoTime()).as("keydir serving").isLessThan(deadline);
          Thread.sleep(100);
        }
      }
      for (String example : examples) {
        Process p = shell(dir, dataDir, example, port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(example + "\n" + out).isZero();
      }
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static ProcessBuilder shell(Path dir, Path dataDir, String line, int port) {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(dir.toFile());
    pb.environment().put("KEYDIR_DATA_DIR", dataDir.toString());
    pb.environment().put("KEYDIR_LISTEN_PORT", Integer.toString(port));
    pb.environment().put("KEYDIR_ADMIN_TOKEN", TestKeydir.ADMIN_TOKEN);
    if (line.endsWith("serve"))
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
    return pb;
  }
}
