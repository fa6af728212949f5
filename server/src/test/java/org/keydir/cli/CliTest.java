package org.keydir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/** The keydir CLI run as a separate process against a real database, as an operator runs it. */
@DisplayName("keydir CLI, run in the test's JVM")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CliTest {
  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return new ObjectMapper().readTree(out);
    }
  }

  /** The CLI in this JVM: {@code env} as its environment, its output captured. */
  static Run keydir(Map<String, String> env, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit =
        KeydirCli.run(
            env, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void
      an_operator_creates_inspects_resets_and_deletes_a_device_with_the_audit_trail_showing_the_cli()
          throws Exception {
    Map<String, String> env =
        Map.of("KEYDIR_DATABASE_URL", TestDatabase.fresh(), "KEYDIR_SERVER_NAME", "cli.test");
    Run created =
        keydir(
            env,
            "device",
            "create",
            "@op:cli.test",
            "--device-id",
            "OPDEV",
            "--display-name",
            "laptop",
            "--json");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.json().get("access_token").asText()).startsWith("kd_");

    Run show = keydir(env, "device", "show", "@op:cli.test", "OPDEV");
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("@op:cli.test OPDEV")
        .contains("laptop")
        .contains("claims served 0");

    Run list = keydir(env, "device", "list", "@op:cli.test", "--json");
    assertThat(list.json().at("/devices/0/device_id").asText()).isEqualTo("OPDEV");

    Run reset =
        keydir(
            env,
            "device",
            "reset",
            "@op:cli.test",
            "OPDEV",
            "--one-time-keys",
            "--fallback-keys",
            "--json");
    assertThat(reset.exit()).as(reset.err()).isZero();
    assertThat(reset.json().at("/deleted/one_time_keys").asInt()).isZero();

    Run delete = keydir(env, "device", "delete", "@op:cli.test", "OPDEV");
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("1 access tokens");

    Run audit = keydir(env, "audit", "--user", "@op:cli.test", "--json");
    JsonNode entries = audit.json().get("entries");
    assertThat(entries.size()).isEqualTo(3);
    assertThat(entries.get(0).get("action").asText()).isEqualTo("device.delete");
    assertThat(entries.get(2).get("action").asText()).isEqualTo("device.create");
    assertThat(entries.get(0).get("actor").asText()).startsWith("cli:");
    assertThat(keydir(env, "audit").out()).contains("keys.reset");
  }

  @Test
  void errors_are_one_clear_line_and_a_non_zero_exit() throws Exception {
    Map<String, String> env =
        Map.of("KEYDIR_DATABASE_URL", TestDatabase.fresh(), "KEYDIR_SERVER_NAME", "cli.test");
    Run missing = keydir(env, "device", "show", "@op:cli.test", "NOSUCH");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("keydir: no device NOSUCH of @op:cli.test");
    Run badUser = keydir(env, "device", "create", "nobody");
    assertThat(badUser.exit()).isEqualTo(1);
    assertThat(badUser.err()).contains("not a valid Matrix user id").doesNotContain("\tat ");
    Run nothing = keydir(env, "device", "reset", "@op:cli.test", "X");
    assertThat(nothing.exit()).isEqualTo(2);
    assertThat(nothing.err()).contains("--one-time-keys");
    Run usage = keydir(env, "device", "frobnicate");
    assertThat(usage.exit()).isEqualTo(2);
  }

  @Test
  void an_operator_lists_rotates_and_revokes_signing_keys_from_the_cli() throws Exception {
    Map<String, String> env =
        Map.of(
            "KEYDIR_DATABASE_URL",
            TestDatabase.fresh(),
            "KEYDIR_SERVER_NAME",
            "cli.test",
            "KEYDIR_KEY_ENCRYPTION_KEY",
            TestKeydir.KEY_ENCRYPTION_KEY);
    assertThat(keydir(env, "server-keys", "list").out().strip()).isEqualTo("no signing keys yet");
    Run first = keydir(env, "server-keys", "rotate", "--json");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("bootstrap");
    Run rotate = keydir(env, "server-keys", "rotate");
    assertThat(rotate.out()).contains("CREATE (pending)").contains("early rotation requested");
    JsonNode keys = keydir(env, "server-keys", "list", "--json").json().get("server_keys");
    assertThat(keys.findValuesAsText("state")).containsExactlyInAnyOrder("active", "pending");
    String active =
        keys.get(0).get("state").asText().equals("active")
            ? keys.get(0).get("key_id").asText()
            : keys.get(1).get("key_id").asText();
    Run revoke = keydir(env, "server-keys", "revoke", active);
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    assertThat(keydir(env, "server-keys", "list").out()).contains(active + "  revoked");
    Run unknown = keydir(env, "server-keys", "revoke", "ed25519:nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no signing key ed25519:nope");
    assertThat(keydir(env, "audit", "--json").json().findValuesAsText("action"))
        .contains("server_key.revoke");
  }

  @Test
  void the_claim_statement_for_bench_scripts_is_the_one_keydir_sends() {
    Run sql = keydir(Map.of(), "statement", "claim-one");
    assertThat(sql.exit()).as(sql.err()).isZero();
    assertThat(sql.out().strip())
        .isEqualTo(org.keydir.store.ClaimStore.singleDeviceClaim().strip());
    assertThat(sql.out()).contains("SKIP LOCKED");
    assertThat(keydir(Map.of(), "statement", "nonsense").exit()).isEqualTo(2);
  }
}
