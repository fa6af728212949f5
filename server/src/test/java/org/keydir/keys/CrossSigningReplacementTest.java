package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.crypto.CanonicalJson;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Replacing a cross-signing identity needs the operator's approval")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CrossSigningReplacementTest {
  static final String UPLOAD = "/_matrix/client/v3/keys/device_signing/upload";
  static final String URL = "https://matrix.example.org/approve-reset";

  @Test
  void
      refused_without_approval_allowed_once_inside_the_window_refused_after_it_and_each_step_audited() {
    String db = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(
            db,
            Map.of("KEYDIR_CROSS_SIGNING_APPROVAL_URL", URL, "KEYDIR_CLEANUP_INTERVAL", "200ms"))) {
      SigningDevice d = new SigningDevice(kd.createDevice("reset", "RESETDEV"));
      ObjectNode dk = JsonNodeFactory.instance.objectNode();
      dk.set("device_keys", d.deviceKeys());
      assertThat(kd.http.post("/_matrix/client/v3/keys/upload", d.token, dk).status())
          .isEqualTo(200);
      CrossSigningIdentity first = new CrossSigningIdentity(d.userId);
      assertThat(kd.http.post(UPLOAD, d.token, CanonicalJson.encode(first.all())).status())
          .isEqualTo(200);
      // the device vouches for the first master key
      ObjectNode signed = d.sign((ObjectNode) first.all().get("master_key").deepCopy());
      ObjectNode sigUpload = JsonNodeFactory.instance.objectNode();
      sigUpload.putObject(d.userId).set(first.master.publicKeyBase64(), signed);
      assertThat(
              kd.http
                  .post("/_matrix/client/v3/keys/signatures/upload", d.token, sigUpload)
                  .json()
                  .path("failures")
                  .isEmpty())
          .isTrue();
      assertThat(masterOf(kd, d).path("signatures").path(d.userId).has("ed25519:RESETDEV"))
          .isTrue();

      CrossSigningIdentity second = new CrossSigningIdentity(d.userId);
      Http.Response refused = kd.http.post(UPLOAD, d.token, CanonicalJson.encode(second.all()));
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.json().path("params").path("m.oauth").path("url").asText()).isEqualTo(URL);
      assertThat(masterOf(kd, d).path("keys").has("ed25519:" + first.master.publicKeyBase64()))
          .isTrue();

      Http.Response allow =
          kd.http.post(
              "/_keydir/admin/v1/users/" + d.userId + "/cross_signing/allow_replacement",
              TestKeydir.ADMIN_TOKEN,
              "{\"for_ms\":60000}");
      assertThat(allow.status()).as(allow.toString()).isEqualTo(200);
      ObjectNode retry = second.all();
      retry
          .putObject("auth")
          .put("type", "m.oauth")
          .put("session", refused.json().path("session").asText());
      assertThat(kd.http.post(UPLOAD, d.token, CanonicalJson.encode(retry)).status())
          .isEqualTo(200);
      JsonNode master = masterOf(kd, d);
      assertThat(master.path("keys").has("ed25519:" + second.master.publicKeyBase64())).isTrue();
      assertThat(master.path("signatures").path(d.userId).has("ed25519:RESETDEV"))
          .as("the device's signature was on the old master key")
          .isFalse();
      assertThat(
              kd.keydir
                  .database()
                  .pool()
                  .query(
                      "SELECT count(*) FROM key_signatures WHERE target_key_id = '"
                          + first.master.publicKeyBase64()
                          + "'")
                  .execute()
                  .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
                  .await()
                  .iterator()
                  .next()
                  .getLong(0))
          .isZero();

      CrossSigningIdentity third = new CrossSigningIdentity(d.userId);
      assertThat(kd.http.post(UPLOAD, d.token, CanonicalJson.encode(third.all())).status())
          .as("the window closed with the replacement it allowed")
          .isEqualTo(401);
      Http.Response brief =
          kd.http.post(
              "/_keydir/admin/v1/users/" + d.userId + "/cross_signing/allow_replacement",
              TestKeydir.ADMIN_TOKEN,
              "{\"for_ms\":1}");
      assertThat(brief.status()).isEqualTo(200);
      long expires = brief.json().path("expires_ts").asLong();
      while (System.currentTimeMillis() <= expires + 1)
        Thread.onSpinWait(); // a request within that ms may pass
      assertThat(kd.http.post(UPLOAD, d.token, CanonicalJson.encode(third.all())).status())
          .as("an expired window")
          .isEqualTo(401);
      assertThat(
              kd.http
                  .post(
                      "/_keydir/admin/v1/users/" + d.userId + "/cross_signing/allow_replacement",
                      TestKeydir.ADMIN_TOKEN,
                      "{\"for_ms\":3600001}")
                  .status())
          .as("more than an hour")
          .isEqualTo(400);

      long t0 = System.nanoTime();
      while (kd.keydir
              .database()
              .pool()
              .query("SELECT count(*) FROM cross_signing_approvals")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await()
              .iterator()
              .next()
              .getLong(0)
          > 0) {
        assertThat(System.nanoTime() - t0)
            .as("expired window closed by the cleanup")
            .isLessThan(10_000_000_000L);
        Thread.onSpinWait();
      }
      List<String> actions = new ArrayList<>();
      kd.http
          .get("/_keydir/admin/v1/audit?user_id=" + d.userId, TestKeydir.ADMIN_TOKEN)
          .json()
          .path("entries")
          .forEach(e -> actions.add(e.path("action").asText()));
      // newest first
      assertThat(actions)
          .containsSubsequence(
              "cross_signing.approval_expired",
              "cross_signing.allow_replacement",
              "cross_signing.replace",
              "cross_signing.allow_replacement");
      assertThat(actions.stream().filter(a -> a.equals("cross_signing.replace")).count())
          .isEqualTo(1);
    }
  }

  @Test
  void
      an_operator_sees_a_user_s_identity_a_device_reset_leaves_it_and_deleting_it_is_audited_and_streamed() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      SigningDevice d = new SigningDevice(kd.createDevice("opview", "OPDEV"));
      CrossSigningIdentity id = new CrossSigningIdentity(d.userId);
      assertThat(kd.http.post(UPLOAD, d.token, CanonicalJson.encode(id.all())).status())
          .isEqualTo(200);
      String base = "/_keydir/admin/v1/users/" + d.userId;
      JsonNode shown = kd.http.get(base + "/cross_signing", TestKeydir.ADMIN_TOKEN).json();
      assertThat(shown.path("master").path("public_key").asText())
          .isEqualTo(id.master.publicKeyBase64());
      assertThat(shown.path("self_signing").path("signed_by").toString())
          .contains("ed25519:" + id.master.publicKeyBase64());
      assertThat(
              kd.http
                  .get(base + "/devices/OPDEV", TestKeydir.ADMIN_TOKEN)
                  .json()
                  .path("cross_signing")
                  .path("master")
                  .path("public_key")
                  .asText())
          .as("the device view shows the user's identity")
          .isEqualTo(id.master.publicKeyBase64());

      assertThat(
              kd.http
                  .post(
                      base + "/devices/OPDEV/keys/reset",
                      TestKeydir.ADMIN_TOKEN,
                      "{\"one_time_keys\":true,\"fallback_keys\":true,\"device_keys\":true}")
                  .status())
          .isEqualTo(200);
      assertThat(masterOf(kd, d).path("keys").has("ed25519:" + id.master.publicKeyBase64()))
          .as("a device reset does not touch cross-signing")
          .isTrue();

      String before = DeviceListChangesTest.position(kd);
      Http.Response deleted =
          kd.http.method("DELETE", base + "/cross_signing", TestKeydir.ADMIN_TOKEN, null);
      assertThat(deleted.json().path("deleted").asInt()).as(deleted.toString()).isEqualTo(3);
      assertThat(masterOf(kd, d).isMissingNode()).isTrue();
      assertThat(
              DeviceListChangesTest.changed(
                  kd, d.token, before, DeviceListChangesTest.position(kd)))
          .contains(d.userId);
      assertThat(
              kd.http
                  .get("/_keydir/admin/v1/audit?user_id=" + d.userId, TestKeydir.ADMIN_TOKEN)
                  .text())
          .contains("cross_signing.delete");
      // with no identity left, a new one is a first upload again
      assertThat(
              kd.http
                  .post(
                      UPLOAD,
                      d.token,
                      CanonicalJson.encode(new CrossSigningIdentity(d.userId).all()))
                  .status())
          .isEqualTo(200);
    }
  }

  static JsonNode masterOf(TestKeydir kd, SigningDevice d) {
    return kd.http
        .post(
            "/_matrix/client/v3/keys/query", d.token, "{\"device_keys\":{\"" + d.userId + "\":[]}}")
        .json()
        .path("master_keys")
        .path(d.userId);
  }
}
