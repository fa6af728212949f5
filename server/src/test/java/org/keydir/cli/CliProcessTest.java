package org.keydir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/** The keydir CLI run as a separate process against a real database, as an operator runs it. */
@DisplayName("keydir CLI as its own process, beside a serving keydir")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CliProcessTest {
  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return new ObjectMapper().readTree(out);
    }
  }

  static Run keydir(Map<String, String> env, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.keydir.cli.KeydirCli"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    // stderr to a file: read after stdout, a full stderr pipe would block the child and then us
    java.io.File errFile = java.io.File.createTempFile("keydir-cli-err", ".log");
    errFile.deleteOnExit();
    pb.redirectError(errFile);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    byte[] err = java.nio.file.Files.readAllBytes(errFile.toPath());
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void with_the_embedded_database_the_cli_attaches_to_the_running_keydirs_postgres()
      throws Exception {
    Path dataDir = TestDatabase.tempDir("keydir-cli-embedded");
    Map<String, String> env =
        Map.of("KEYDIR_DATA_DIR", dataDir.toString(), "KEYDIR_SERVER_NAME", TestKeydir.SERVER_NAME);
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      Run created = keydir(env, "device", "create", "@emb:" + TestKeydir.SERVER_NAME, "--json");
      assertThat(created.exit()).as(created.err()).isZero();
      Http.Response whoami =
          kd.http.get(
              "/_matrix/client/v3/account/whoami", created.json().get("access_token").asText());
      assertThat(whoami.status()).isEqualTo(200);
      Run listed = keydir(env, "device", "list", "@emb:" + TestKeydir.SERVER_NAME);
      assertThat(listed.exit()).as(listed.err()).isZero();
      assertThat(listed.err())
          .as("a one-shot command keeps library logs out")
          .doesNotContain("INFO");
    }
  }
}
