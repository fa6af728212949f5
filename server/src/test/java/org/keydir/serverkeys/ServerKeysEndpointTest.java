package org.keydir.serverkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.config.ConfigException;
import org.keydir.crypto.JsonSigning;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Server signing keys: publication, operator actions, encryption at rest")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServerKeysEndpointTest {
  static final String KEYS = "/_matrix/key/v2/server";
  static final String ADMIN = "/_keydir/admin/v1/server_keys";

  static void assertSelfSigned(JsonNode body) {
    String server = body.get("server_name").asText();
    assertThat(body.get("verify_keys").size()).isPositive();
    body.get("verify_keys")
        .properties()
        .forEach(
            e ->
                assertThat(
                        JsonSigning.verify(
                            body,
                            server,
                            e.getKey(),
                            JsonSigning.decodePublicKey(e.getValue().get("key").asText())))
                    .as("signed by " + e.getKey())
                    .isTrue());
  }

  @Test
  void
      the_server_publishes_its_verify_keys_self_signed_with_a_validity_of_at_most_7_days_and_a_matching_max_age() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      Http.Response r = kd.http.get(KEYS, null);
      assertThat(r.status()).isEqualTo(200);
      JsonNode body = r.json();
      assertThat(body.get("server_name").asText()).isEqualTo(TestKeydir.SERVER_NAME);
      assertThat(body.get("verify_keys").size()).isEqualTo(1);
      assertThat(body.get("old_verify_keys").size()).isZero();
      assertSelfSigned(body);
      long now = System.currentTimeMillis();
      long validUntil = body.get("valid_until_ts").asLong();
      assertThat(validUntil).isBetween(now, now + 7L * 86400_000);
      long maxAge =
          Long.parseLong(
              r.headers().firstValue("Cache-Control").orElseThrow().replaceAll(".*max-age=", ""));
      assertThat(maxAge).isBetween((validUntil - now) / 1000 - 5, (validUntil - now) / 1000 + 1);
    }
  }

  @Test
  void
      an_operator_rotates_early_and_revokes_with_an_audit_trail_and_exactly_one_key_signing_throughout()
          throws Exception {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_ROTATION_REFRESH_INTERVAL",
                "100ms",
                "KEYDIR_ROTATION_PENDING_DURATION",
                "300ms",
                "KEYDIR_ROTATION_ROTATION_PERIOD",
                "1h",
                "KEYDIR_ROTATION_EXPIRED_RETENTION",
                "1h"))) {
      JsonNode before = kd.http.get(ADMIN, TestKeydir.ADMIN_TOKEN).json().get("server_keys");
      assertThat(before.size()).isEqualTo(1);
      String first = before.get(0).get("key_id").asText();
      assertThat(before.toString()).doesNotContain("seed").doesNotContain("private");

      Http.Response rotate = kd.http.post(ADMIN + "/rotate", TestKeydir.ADMIN_TOKEN, "{}");
      assertThat(rotate.status()).as(rotate.toString()).isEqualTo(200);
      JsonNode published = kd.http.get(KEYS, null).json();
      assertThat(published.get("verify_keys").size()).as("old active + new pending").isEqualTo(2);
      assertSelfSigned(published);

      String second = awaitActive(kd, first);
      assertThat(second).isNotEqualTo(first);
      Http.Response revoke =
          kd.http.post(ADMIN + "/" + second + "/revoke", TestKeydir.ADMIN_TOKEN, "{}");
      assertThat(revoke.status()).as(revoke.toString()).isEqualTo(200);
      JsonNode after = kd.http.get(KEYS, null).json();
      assertThat(after.get("verify_keys").has(second)).isFalse();
      assertThat(after.get("old_verify_keys").has(second)).isFalse();
      JsonNode states = kd.http.get(ADMIN, TestKeydir.ADMIN_TOKEN).json().get("server_keys");
      assertThat(states.findValuesAsText("state").stream().filter("active"::equals)).hasSize(1);
      assertThat(
              kd.http.post(ADMIN + "/ed25519:nope/revoke", TestKeydir.ADMIN_TOKEN, "{}").status())
          .isEqualTo(404);
      Http.Response again =
          kd.http.post(ADMIN + "/" + second + "/revoke", TestKeydir.ADMIN_TOKEN, "{}");
      assertThat(again.status())
          .as("a second revoke is a bad request, not a missing key")
          .isEqualTo(400);
      assertThat(again.json().get("errcode").asText()).isEqualTo("M_INVALID_PARAM");
      assertThat(again.json().get("error").asText()).contains("already revoked");

      JsonNode audit =
          kd.http
              .get("/_keydir/admin/v1/audit?limit=50", TestKeydir.ADMIN_TOKEN)
              .json()
              .get("entries");
      assertThat(audit.findValuesAsText("action"))
          .contains(
              "server_key.create", "server_key.activate", "server_key.expire", "server_key.revoke");
      assertThat(audit.findValuesAsText("actor")).contains("admin-api", "rotator");
    }
  }

  static String awaitActive(TestKeydir kd, String notThis) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      for (JsonNode k : kd.http.get(ADMIN, TestKeydir.ADMIN_TOKEN).json().get("server_keys")) {
        if (k.get("state").asText().equals("active") && !k.get("key_id").asText().equals(notThis)) {
          return k.get("key_id").asText();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no new active key");
  }

  @Test
  void signing_keys_survive_a_restart_and_their_seeds_are_encrypted_at_rest() throws Exception {
    Path dataDir = TestDatabase.tempDir("keydir-kek");
    Map<String, String> env = Map.of("KEYDIR_DATA_DIR", dataDir.toString());
    String keyId;
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      keyId = kd.http.get(KEYS, null).json().get("verify_keys").fieldNames().next();
      var seeds =
          kd.keydir
              .database()
              .pool()
              .query("SELECT length(sealed_seed) AS n FROM server_signing_keys")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await();
      assertThat(seeds.iterator().next().getInteger("n"))
          .isEqualTo(12 + 32 + 16); // nonce, sealed seed, tag
    }
    Path kek = dataDir.resolve("key_encryption_key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek)))
        .isEqualTo("rw-------");
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      assertThat(kd.http.get(KEYS, null).json().get("verify_keys").has(keyId)).isTrue();
    }
    Map<String, String> wrong =
        Map.of(
            "KEYDIR_DATA_DIR",
            dataDir.toString(),
            "KEYDIR_KEY_ENCRYPTION_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assertThatThrownBy(() -> TestKeydir.start(null, wrong))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key_encryption_key cannot decrypt");
  }

  @Test
  void a_shared_database_without_a_configured_key_encryption_key_is_a_clear_startup_error() {
    assertThatThrownBy(
            () -> TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_KEY_ENCRYPTION_KEY", "")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("KEYDIR_KEY_ENCRYPTION_KEY");
  }
}
