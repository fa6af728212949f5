package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.app.Keydir;
import org.keydir.config.ConfigLoader;

@DisplayName("The embedded PostgreSQL is reachable only by keydir")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EmbeddedDatabaseIsolationTest {
  private static final String OTHER_USER = "nobody";

  @Test
  void another_os_user_can_neither_log_in_nor_reach_the_socket_nor_read_the_secrets()
      throws Exception {
    assumeTrue(
        EmbeddedAccess.runsAsRoot() && commandWorks("runuser", "-u", OTHER_USER, "--", "true"),
        "needs root and runuser to act as another OS user");
    Path base = openFolder("keydir-isolation");
    Path data = base.resolve("data");
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "KEYDIR_DATA_DIR",
                data.toString(),
                "KEYDIR_SERVER_NAME",
                "isolation.test",
                "KEYDIR_LISTEN_PORT",
                "0"));
    try (Keydir kd = Keydir.start(ConfigLoader.load((Path) null, env))) {
      String port = Files.readString(data.resolve("postgres.port")).trim();
      List<String> secrets =
          List.of(
              "admin_token",
              "key_encryption_key",
              "postgres_superuser_password",
              "postgres_keydir_password",
              "postgres/pg_hba.conf",
              "postgres.port");
      for (String s : secrets) {
        assertThat(Files.getPosixFilePermissions(data.resolve(s)))
            .as(s)
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
      assertThat(Files.getPosixFilePermissions(data))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));

      List<String> args =
          new ArrayList<>(
              List.of(
                  port,
                  data.resolve("run/.s.PGSQL." + port).toString(),
                  "/tmp/.s.PGSQL." + port,
                  "--"));
      secrets.forEach(s -> args.add(data.resolve(s).toString()));
      List<String> lines = probeAsOtherUser(args);

      assertThat(lines)
          .filteredOn(l -> l.startsWith("tcp "))
          .hasSize(2)
          .allSatisfy(
              l -> assertThat(l).as("TCP login without a password").contains("AUTH_PASSWORD"));
      assertThat(lines)
          .filteredOn(l -> l.startsWith("unix "))
          .hasSize(2)
          .allSatisfy(
              l -> assertThat(l).as("unix socket").contains("REFUSED").doesNotContain("AUTH_OK"));
      assertThat(lines)
          .filteredOn(l -> l.startsWith("read "))
          .hasSize(secrets.size())
          .allSatisfy(l -> assertThat(l).as("secret file").contains("DENIED"));
    }
  }

  @Test
  void keydir_logs_in_as_a_role_that_owns_its_schema_and_can_touch_nothing_outside_it()
      throws Exception {
    Path data = openFolder("keydir-role").resolve("data");
    Map<String, String> env =
        Map.of(
            "KEYDIR_DATA_DIR",
            data.toString(),
            "KEYDIR_SERVER_NAME",
            "role.test",
            "KEYDIR_LISTEN_PORT",
            "0",
            "KEYDIR_ADMIN_TOKEN",
            "admin-token-for-the-role-test");
    try (Keydir kd = Keydir.start(ConfigLoader.load((Path) null, env))) {
      String port = Files.readString(data.resolve("postgres.port")).trim();
      String password = Files.readString(data.resolve("postgres_keydir_password")).trim();
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://localhost:" + port + "/postgres", "keydir", password);
          Statement s = c.createStatement()) {
        assertThat(
                one(
                    s,
                    "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls "
                        + "FROM pg_roles WHERE rolname = current_user"))
            .isEqualTo("f");
        for (String role :
            List.of("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")) {
          assertThat(one(s, "SELECT pg_has_role(current_user, '" + role + "', 'MEMBER')"))
              .as(role)
              .isEqualTo("f");
        }
        assertThat(
                one(
                    s,
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'keydir' AND tableowner <> current_user"))
            .isEqualTo("0");
        assertThat(one(s, "SELECT count(*) FROM pg_tables WHERE schemaname = 'keydir'"))
            .isNotEqualTo("0");
        for (String attack :
            List.of(
                "SELECT pg_read_file('PG_VERSION')",
                "COPY (SELECT 1) TO PROGRAM 'true'",
                "COPY (SELECT 1) TO '/tmp/keydir-role-test-written'",
                "CREATE DATABASE stolen",
                "CREATE ROLE evil SUPERUSER",
                "CREATE TABLE public.planted (x int)",
                "ALTER ROLE keydir SUPERUSER")) {
          assertThatThrownBy(() -> s.execute(attack))
              .as(attack)
              .isInstanceOf(SQLException.class)
              .hasMessageContaining("ermission denied");
        }
      }
    }
    assertThat(Path.of("/tmp/keydir-role-test-written")).doesNotExist();
  }

  @Test
  void a_data_folder_of_an_older_keydir_is_secured_and_keeps_its_data() throws Exception {
    Path data = openFolder("keydir-legacy").resolve("data");
    try (EmbeddedDatabase db =
        EmbeddedDatabase.start(data)) { // make it look like one an older keydir left
      String su = DatabaseUrl.parse(db.superuserUrl()).jdbcUrl();
      String pw = DatabaseUrl.parse(db.superuserUrl()).password();
      try (Connection c = DriverManager.getConnection(su, "postgres", pw);
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA keydir CASCADE");
        s.execute("DROP ROLE keydir");
      }
      Migrations.apply(DatabaseUrl.parse(db.superuserUrl())); // as the superuser, into public
      try (Connection c = DriverManager.getConnection(su, "postgres", pw);
          Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO public.devices (user_id, device_id, created_ts) VALUES ('@old:legacy.test', 'OLD', 1)");
      }
    }
    Files.writeString(
        data.resolve("postgres/pg_hba.conf"),
        "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    Files.delete(data.resolve("postgres_superuser_password"));
    Files.delete(data.resolve("postgres_keydir_password"));

    try (EmbeddedDatabase db = EmbeddedDatabase.start(data)) {
      DatabaseUrl url = DatabaseUrl.parse(db.url());
      assertThat(url.user()).isEqualTo("keydir");
      try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
          Statement s = c.createStatement()) {
        assertThat(one(s, "SELECT device_id FROM devices WHERE user_id = '@old:legacy.test'"))
            .isEqualTo("OLD");
        assertThat(
                one(
                    s,
                    "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
                        + "WHERE n.nspname = 'public' AND k.relkind IN ('r','S')"))
            .isEqualTo("0");
        assertThat(
                one(
                    s,
                    "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
                        + "WHERE n.nspname = 'keydir' AND k.relowner <> (SELECT oid FROM pg_roles WHERE rolname = 'keydir')"))
            .isEqualTo("0");
      }
      assertThat(Files.readString(data.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
      Migrations.apply(
          url); // keydir's migrations see the moved history and have nothing left to do
    }
  }

  /** A temp folder others may traverse, so only the data folder's own mode keeps them out. */
  private static Path openFolder(String prefix) throws IOException {
    Path base = org.keydir.testing.TestDatabase.tempDir(prefix);
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    return base;
  }

  private static List<String> probeAsOtherUser(List<String> args) throws Exception {
    Path dir = openFolder("keydir-probe");
    Path probe = dir.resolve("OtherUserProbe.java");
    try (InputStream in =
        EmbeddedDatabaseIsolationTest.class.getResourceAsStream("/probes/OtherUserProbe.java")) {
      Files.write(probe, in.readAllBytes());
    }
    Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "runuser",
                "-u",
                OTHER_USER,
                "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                probe.toString()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }

  private static boolean commandWorks(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
