package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Admin device API and audit log")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminDeviceApiTest {
  private static final String ADMIN = "/_keydir/admin/v1";
  private static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  private TestKeydir kd;
  private int users;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  private static String enc(String userId) {
    return userId.replace("@", "%40").replace(":", "%3A");
  }

  private String devicePath(SigningDevice d) {
    return ADMIN + "/users/" + enc(d.userId) + "/devices/" + d.deviceId;
  }

  /** A device with identity keys, 3 one-time keys (one claimed) and an unused fallback key. */
  private SigningDevice populated() {
    SigningDevice d = new SigningDevice(kd.createDevice("adm" + (++users), "DEV" + users));
    ObjectNode body = d.oneTimeKeys("A", "B", "C");
    body.set("device_keys", d.deviceKeys());
    body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
    assertThat(kd.http.post(UPLOAD, d.token, body).status()).isEqualTo(200);
    kd.http.post(
        "/_matrix/client/v3/keys/claim",
        d.token,
        "{\"one_time_keys\":{\""
            + d.userId
            + "\":{\""
            + d.deviceId
            + "\":\"signed_curve25519\"}}}");
    return d;
  }

  private JsonNode get(String path) {
    Http.Response r = kd.http.get(path, TestKeydir.ADMIN_TOKEN);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  @Test
  void show_gives_device_keys_counts_fallback_state_claims_served_and_last_upload() {
    SigningDevice d = populated();
    JsonNode v = get(devicePath(d));
    assertThat(v.get("user_id").asText()).isEqualTo(d.userId);
    assertThat(d.verifies(v.get("device_keys"))).isTrue();
    assertThat(v.at("/one_time_key_counts/signed_curve25519").asInt()).isEqualTo(2);
    assertThat(v.at("/fallback_keys/signed_curve25519/key_id").asText())
        .isEqualTo("signed_curve25519:FB");
    assertThat(v.at("/fallback_keys/signed_curve25519/used").asBoolean()).isFalse();
    assertThat(v.get("claims_served").asInt()).isEqualTo(1);
    assertThat(v.get("last_upload_ts").asLong()).isPositive();
    assertThat(v.toString()).doesNotContain(d.token);
  }

  @Test
  void list_gives_every_device_of_the_user_with_counts() {
    SigningDevice d = populated();
    kd.createDevice(d.userId.substring(1, d.userId.indexOf(':')), "SECOND");
    JsonNode list = get(ADMIN + "/users/" + enc(d.userId) + "/devices").get("devices");
    Set<String> ids = new HashSet<>();
    list.forEach(x -> ids.add(x.get("device_id").asText()));
    assertThat(ids).containsExactlyInAnyOrder(d.deviceId, "SECOND");
  }

  @Test
  void reset_deletes_exactly_what_the_flags_name_and_reports_it() {
    SigningDevice d = populated();
    Http.Response r =
        kd.http.post(
            devicePath(d) + "/keys/reset",
            TestKeydir.ADMIN_TOKEN,
            "{\"one_time_keys\":true,\"fallback_keys\":false,\"device_keys\":false}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().at("/deleted/one_time_keys").asInt()).isEqualTo(2);
    assertThat(r.json().at("/deleted/fallback_keys").size()).isZero();
    assertThat(r.json().at("/deleted/device_keys").asBoolean()).isFalse();
    JsonNode v = get(devicePath(d));
    assertThat(v.at("/one_time_key_counts/signed_curve25519").asInt()).isZero();
    assertThat(v.at("/fallback_keys/signed_curve25519").isObject()).isTrue();

    Http.Response all =
        kd.http.post(
            devicePath(d) + "/keys/reset",
            TestKeydir.ADMIN_TOKEN,
            "{\"fallback_keys\":true,\"device_keys\":true}");
    assertThat(all.json().at("/deleted/fallback_keys/0").asText())
        .isEqualTo("signed_curve25519:FB");
    assertThat(all.json().at("/deleted/device_keys").asBoolean()).isTrue();
    JsonNode after = get(devicePath(d));
    assertThat(after.get("device_keys").isNull()).isTrue();
    assertThat(after.get("fallback_keys").size()).isZero();
    // with its identity keys reset, the device may upload new ones
    SigningDevice renewed = new SigningDevice(d.userId, d.deviceId, d.token);
    assertThat(
            kd.http
                .post(
                    UPLOAD,
                    d.token,
                    (ObjectNode)
                        JsonNodeFactory.instance
                            .objectNode()
                            .set("device_keys", renewed.deviceKeys()))
                .status())
        .isEqualTo(200);
    assertThat(kd.http.post(devicePath(d) + "/keys/reset", TestKeydir.ADMIN_TOKEN, "{}").status())
        .isEqualTo(400);
  }

  @Test
  void delete_drops_the_device_its_keys_and_tokens_atomically() {
    SigningDevice d = populated();
    Http.Response r = kd.http.method("DELETE", devicePath(d), TestKeydir.ADMIN_TOKEN, null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().at("/deleted/access_tokens").asInt()).isEqualTo(1);
    assertThat(r.json().at("/deleted/device_keys").asBoolean()).isTrue();
    assertThat(kd.http.get(devicePath(d), TestKeydir.ADMIN_TOKEN).status()).isEqualTo(404);
    assertThat(kd.http.post(UPLOAD, d.token, "{}").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    var rows =
        kd.keydir
            .database()
            .pool()
            .preparedQuery(
                "SELECT (SELECT count(*) FROM one_time_keys WHERE user_id = $1)"
                    + " + (SELECT count(*) FROM fallback_keys WHERE user_id = $1) + (SELECT count(*) FROM device_keys WHERE user_id = $1)"
                    + " AS n")
            .execute(io.vertx.sqlclient.Tuple.of(d.userId))
            .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
            .await();
    assertThat(rows.iterator().next().getLong("n")).isZero();
  }

  @Test
  void an_unknown_device_is_404_M_NOT_FOUND_and_bad_ids_are_400() {
    SigningDevice d = populated();
    Http.Response missing =
        kd.http.get(ADMIN + "/users/" + enc(d.userId) + "/devices/NOSUCH", TestKeydir.ADMIN_TOKEN);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errcode()).isEqualTo("M_NOT_FOUND");
    assertThat(
            kd.http
                .method(
                    "DELETE",
                    ADMIN + "/users/" + enc(d.userId) + "/devices/NOSUCH",
                    TestKeydir.ADMIN_TOKEN,
                    null)
                .status())
        .isEqualTo(404);
    assertThat(kd.http.get(ADMIN + "/users/notauser/devices/X", TestKeydir.ADMIN_TOKEN).status())
        .isEqualTo(400);
    assertThat(
            kd.http
                .get(
                    ADMIN + "/users/" + enc("@x:elsewhere.org") + "/devices",
                    TestKeydir.ADMIN_TOKEN)
                .status())
        .isEqualTo(400);
  }

  @Test
  void every_admin_endpoint_refuses_a_missing_token_401_and_a_wrong_one_403() {
    SigningDevice d = populated();
    String[][] calls = {
      {"GET", devicePath(d)},
      {"GET", ADMIN + "/users/" + enc(d.userId) + "/devices"},
      {"POST", devicePath(d) + "/keys/reset"},
      {"DELETE", devicePath(d)},
      {"GET", ADMIN + "/audit"},
      {"POST", ADMIN + "/devices"}
    };
    for (String[] c : calls) {
      String body = c[0].equals("POST") ? "{\"one_time_keys\":true}" : null;
      assertThat(kd.http.method(c[0], c[1], null, body).status()).as(c[1]).isEqualTo(401);
      assertThat(kd.http.method(c[0], c[1], d.token, body).status()).as(c[1]).isEqualTo(403);
    }
    assertThat(get(devicePath(d)).at("/one_time_key_counts/signed_curve25519").asInt())
        .isEqualTo(2);
  }

  @Test
  void
      the_audit_log_records_every_admin_action_with_actor_target_and_change_and_pages_newest_first() {
    SigningDevice d = populated();
    kd.http.post(devicePath(d) + "/keys/reset", TestKeydir.ADMIN_TOKEN, "{\"one_time_keys\":true}");
    kd.http.method("DELETE", devicePath(d), TestKeydir.ADMIN_TOKEN, null);
    JsonNode entries = get(ADMIN + "/audit?user_id=" + enc(d.userId)).get("entries");
    assertThat(entries.size()).isEqualTo(3);
    assertThat(entries.get(0).get("action").asText()).isEqualTo("device.delete");
    assertThat(entries.get(1).get("action").asText()).isEqualTo("keys.reset");
    assertThat(entries.get(1).at("/details/deleted/one_time_keys").asInt()).isEqualTo(2);
    assertThat(entries.get(2).get("action").asText()).isEqualTo("device.create");
    entries.forEach(
        e -> {
          assertThat(e.get("actor").asText()).isEqualTo("admin-api");
          assertThat(e.get("device_id").asText()).isEqualTo(d.deviceId);
          assertThat(e.get("ts").asLong()).isPositive();
        });
    JsonNode page1 = get(ADMIN + "/audit?user_id=" + enc(d.userId) + "&limit=2");
    assertThat(page1.get("entries").size()).isEqualTo(2);
    JsonNode page2 =
        get(
            ADMIN
                + "/audit?user_id="
                + enc(d.userId)
                + "&limit=2&from="
                + page1.get("next_from").asText());
    assertThat(page2.get("entries").size()).isEqualTo(1);
    assertThat(page2.has("next_from")).isFalse();
    assertThat(page2.at("/entries/0/action").asText()).isEqualTo("device.create");
    assertThat(kd.http.get(ADMIN + "/audit?limit=0", TestKeydir.ADMIN_TOKEN).status())
        .isEqualTo(400);
    assertThat(kd.http.get(ADMIN + "/audit?from=x", TestKeydir.ADMIN_TOKEN).status())
        .isEqualTo(400);
    assertThat(kd.http.get(ADMIN + "/audit?user_id=%00", TestKeydir.ADMIN_TOKEN).status())
        .isEqualTo(400);
  }
}
