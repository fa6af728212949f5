package org.keydir.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("keydir.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void without_file_or_environment_every_value_has_its_documented_default() {
    KeydirConfig c = ConfigLoader.load(null, Map.of());
    assertThat(c).isEqualTo(KeydirConfig.defaults());
    assertThat(c.serverName()).isEqualTo("localhost");
    assertThat(c.listen()).isEqualTo(new KeydirConfig.Listen("127.0.0.1", 8008, 10_000, 30_000));
    assertThat(c.dataDir()).isEqualTo("./data");
    assertThat(c.database().embedded()).isTrue();
    assertThat(c.limits().maxBodyBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void the_yaml_file_overrides_defaults_and_the_environment_overrides_the_file()
      throws IOException {
    Path f =
        yaml(
            """
        server_name: example.org
        listen:
          port: 9000
        database:
          url: postgresql://u:p@db:5432/keydir
        """);
    KeydirConfig c =
        ConfigLoader.load(f, Map.of("KEYDIR_LISTEN_PORT", "9100", "KEYDIR_LISTEN_HOST", "0.0.0.0"));
    assertThat(c.serverName()).isEqualTo("example.org");
    assertThat(c.listen()).isEqualTo(new KeydirConfig.Listen("0.0.0.0", 9100, 10_000, 30_000));
    assertThat(c.database().url()).isEqualTo("postgresql://u:p@db:5432/keydir");
    assertThat(c.database().poolSize()).isEqualTo(KeydirConfig.defaults().database().poolSize());
  }

  @Test
  void every_config_key_has_an_environment_variable_named_by_one_pattern() {
    assertThat(ConfigLoader.environmentNames())
        .contains(
            "KEYDIR_SERVER_NAME",
            "KEYDIR_LISTEN_HOST",
            "KEYDIR_LISTEN_PORT",
            "KEYDIR_DATA_DIR",
            "KEYDIR_DATABASE_URL",
            "KEYDIR_ADMIN_TOKEN",
            "KEYDIR_LIMITS_MAX_BODY_BYTES",
            "KEYDIR_DATABASE_POOL_SIZE");
    KeydirConfig c =
        ConfigLoader.load(
            null,
            Map.of(
                "KEYDIR_SERVER_NAME",
                "env.example",
                "KEYDIR_DATA_DIR",
                "/var/kd",
                "KEYDIR_DATABASE_URL",
                "postgres://x@h/db",
                "KEYDIR_ADMIN_TOKEN",
                "0123456789abcdef0123",
                "KEYDIR_LIMITS_MAX_BODY_BYTES",
                "2048"));
    assertThat(c.serverName()).isEqualTo("env.example");
    assertThat(c.dataDir()).isEqualTo("/var/kd");
    assertThat(c.database().url()).isEqualTo("postgres://x@h/db");
    assertThat(c.adminToken()).isEqualTo("0123456789abcdef0123");
    assertThat(c.limits().maxBodyBytes()).isEqualTo(2048);
  }

  @Test
  void an_unknown_key_is_an_error_naming_it() throws IOException {
    Path f = yaml("listen:\n  prot: 80\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("listen.prot");
  }

  @Test
  void a_value_of_the_wrong_type_is_an_error_naming_the_key() throws IOException {
    Path f = yaml("listen:\n  port: eighty\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KEYDIR_LISTEN_PORT", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("KEYDIR_LISTEN_PORT")
        .hasMessageContaining("listen.port");
  }

  @Test
  void an_invalid_value_is_an_error_naming_the_key() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("listen:\n  port: 70000\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("listen.port");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("database:\n  url: mysql://x\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.url");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("server_name: 'bad name'\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server_name");
    assertThatThrownBy(
            () -> ConfigLoader.load(yaml("limits:\n  max_keys_per_upload: 20000\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.max_keys_per_upload");
  }

  @Test
  void a_file_that_is_not_yaml_is_a_clear_error() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("listen: [\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot read");
  }

  @Test
  void the_cli_reports_a_bad_config_as_one_line_and_exit_code_2_not_a_stack_trace()
      throws IOException {
    Path f = yaml("listen:\n  prot: 80\n");
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    int code;
    try {
      code = org.keydir.cli.KeydirCli.run("serve", "--config", f.toString());
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("configuration error")
        .contains("listen.prot")
        .doesNotContain("\tat ");
  }

  @Test
  void a_misspelt_environment_variable_is_an_error_naming_the_closest_one() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ConfigLoader.refuseUnknownEnvironment(
                    java.util.Map.of(
                        "KEYDIR_LISTEN_PROT", "9000", "KEYDIR_LISTEN_HOST", "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("KEYDIR_LISTEN_PROT")
        .hasMessageContaining("did you mean KEYDIR_LISTEN_PORT?");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ConfigLoader.refuseUnknownEnvironment(
                    java.util.Map.of("KEYDIR_NOTHING_LIKE_IT_AT_ALL", "x")))
        .hasMessageContaining("KEYDIR_NOTHING_LIKE_IT_AT_ALL")
        .hasMessageNotContaining("did you mean");
    // the script's and the tests' own variables, and other programs' variables, are no config keys
    ConfigLoader.refuseUnknownEnvironment(
        java.util.Map.of(
            "KEYDIR_JAVA_OPTS",
            "-Xmx1g",
            "KEYDIR_BENCH_JAVA_OPTS",
            "",
            "KEYDIR_TEST_DATABASE_URL",
            "x",
            "PATH",
            "/bin",
            "KEYDIR_SERVER_NAME",
            "example.org"));
  }
}
