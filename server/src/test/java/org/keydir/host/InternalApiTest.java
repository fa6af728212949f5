package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.host.DelegatedAuthTest.INTERNAL_TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.testing.FakeHost;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Host mode: the internal API /_keydir/internal/v1")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InternalApiTest {
  static final String BASE = "/_keydir/internal/v1";
  private final List<AutoCloseable> open = new ArrayList<>();
  private FakeHost host;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) c.close();
  }

  private TestKeydir keydir(String db, Map<String, String> extra) throws Exception {
    if (host == null) {
      host = new FakeHost(TestKeydir.SERVER_NAME);
      open.add(host);
    }
    Map<String, String> env = DelegatedAuthTest.whoamiEnv(host);
    env.putAll(extra);
    TestKeydir k = TestKeydir.start(db, env);
    open.add(0, k);
    return k;
  }

  private SigningDevice login(String localpart, String deviceId) {
    return host.loggedIn(localpart, deviceId);
  }

  @Test
  void every_call_needs_the_internal_token() throws Exception {
    TestKeydir k = keydir(TestDatabase.fresh(), Map.of());
    for (String[] call :
        List.of(
            new String[] {"POST", "/sync_state", "{\"devices\":[]}"},
            new String[] {"GET", "/device_list_changes", null},
            new String[] {"DELETE", "/users/@a:" + TestKeydir.SERVER_NAME + "/devices/X", null},
            new String[] {"POST", "/tokens/invalidate", "{\"token\":\"t\"}"},
            new String[] {
              "POST",
              "/users/@a:" + TestKeydir.SERVER_NAME + "/cross_signing/allow_replacement",
              "{}"
            })) {
      Http.Response none = k.http.method(call[0], BASE + call[1], null, call[2]);
      assertThat(none.status()).as(call[1] + " without a token").isEqualTo(401);
      assertThat(none.errcode()).isEqualTo("M_MISSING_TOKEN");
      Http.Response admin = k.http.method(call[0], BASE + call[1], TestKeydir.ADMIN_TOKEN, call[2]);
      assertThat(admin.status()).as(call[1] + " with the admin token").isEqualTo(403);
      Http.Response ok = k.http.method(call[0], BASE + call[1], INTERNAL_TOKEN, call[2]);
      assertThat(ok.status()).as(call[1] + ": " + ok).isEqualTo(200);
    }
  }

  @Test
  void sync_state_reports_counts_and_unused_fallback_types_for_many_devices() throws Exception {
    TestKeydir k = keydir(TestDatabase.fresh(), Map.of());
    SigningDevice a = login("olga", "OLGADEV");
    SigningDevice b = login("pete", "PETEDEV");
    var body = a.oneTimeKeys("K1", "K2", "K3");
    body.putObject("fallback_keys").set("signed_curve25519:F1", a.signedKey(true));
    body.set("device_keys", a.deviceKeys());
    var up = k.http.post(DelegatedAuthTest.UPLOAD, a.token, body);
    assertThat(up.status()).as(up.toString()).isEqualTo(200);
    assertThat(k.http.post(DelegatedAuthTest.UPLOAD, b.token, "{}").status()).isEqualTo(200);
    String ask =
        "{\"devices\":[{\"user_id\":\""
            + a.userId
            + "\",\"device_id\":\"OLGADEV\"},"
            + "{\"user_id\":\""
            + b.userId
            + "\",\"device_id\":\"PETEDEV\"},"
            + "{\"user_id\":\""
            + b.userId
            + "\",\"device_id\":\"NEVERSEEN\"}]}";
    JsonNode state =
        ok(k.http.post(BASE + "/sync_state", INTERNAL_TOKEN, ask)).json().path("devices");
    JsonNode olga = state.path(a.userId).path("OLGADEV");
    assertThat(olga.path("one_time_key_counts").path("signed_curve25519").asInt()).isEqualTo(3);
    assertThat(olga.path("unused_fallback_key_types").toString())
        .isEqualTo("[\"signed_curve25519\"]");
    JsonNode pete = state.path(b.userId).path("PETEDEV");
    assertThat(pete.path("one_time_key_counts").toString()).isEqualTo("{\"signed_curve25519\":0}");
    assertThat(pete.path("unused_fallback_key_types").toString()).isEqualTo("[]");
    assertThat(state.path(b.userId).has("NEVERSEEN")).isTrue();

    // a claim takes one key and then the fallback key is still unused until only it is left
    Http.Response claimed =
        k.http.post(
            "/_matrix/client/v3/keys/claim",
            b.token,
            "{\"one_time_keys\":{\"" + a.userId + "\":{\"OLGADEV\":\"signed_curve25519\"}}}");
    assertThat(claimed.status()).isEqualTo(200);
    JsonNode after =
        ok(k.http.post(BASE + "/sync_state", INTERNAL_TOKEN, ask)).json().path("devices");
    assertThat(
            after
                .path(a.userId)
                .path("OLGADEV")
                .path("one_time_key_counts")
                .path("signed_curve25519")
                .asInt())
        .isEqualTo(2);

    StringBuilder tooMany = new StringBuilder("{\"devices\":[");
    for (int i = 0; i <= 1000; i++)
      tooMany
          .append(i == 0 ? "" : ",")
          .append("{\"user_id\":\"")
          .append(a.userId)
          .append("\",\"device_id\":\"D")
          .append(i)
          .append("\"}");
    assertThat(k.http.post(BASE + "/sync_state", INTERNAL_TOKEN, tooMany + "]}").status())
        .isEqualTo(400);
    assertThat(
            k.http
                .post(
                    BASE + "/sync_state",
                    INTERNAL_TOKEN,
                    "{\"devices\":[{\"user_id\":\"@x:elsewhere\"," + "\"device_id\":\"D\"}]}")
                .status())
        .isEqualTo(400);
    assertThat(k.http.post(BASE + "/sync_state", INTERNAL_TOKEN, "{\"devices\":7}").errcode())
        .isEqualTo("M_BAD_JSON");
  }

  @Test
  void a_long_poll_on_one_replica_is_woken_by_a_change_on_another() throws Exception {
    String db = TestDatabase.fresh();
    TestKeydir a = keydir(db, Map.of());
    TestKeydir b = keydir(db, Map.of());
    SigningDevice d = login("quinn", "QUINNDEV");
    ok(b.http.post(DelegatedAuthTest.UPLOAD, d.token, "{}")); // creates the device: position 1
    JsonNode first = ok(a.http.get(BASE + "/device_list_changes?from=d0", INTERNAL_TOKEN)).json();
    assertThat(first.path("changes")).hasSize(1);
    assertThat(first.path("changes").get(0).path("kind").asText()).isEqualTo("device");
    String next = first.path("next").asText();

    long t0 = System.nanoTime();
    CompletableFuture<Http.Response> waiting =
        CompletableFuture.supplyAsync(
            () ->
                a.http.get(
                    BASE + "/device_list_changes?from=" + next + "&timeout_ms=20000",
                    INTERNAL_TOKEN));
    org.keydir.testing.Pending.stillPendingAfter(
        waiting, java.time.Duration.ofMillis(500), "the long-poll with no change");
    var body = d.oneTimeKeys();
    body.set("device_keys", d.deviceKeys());
    ok(b.http.post(DelegatedAuthTest.UPLOAD, d.token, body));
    Http.Response woken = waiting.get(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    JsonNode changes = ok(woken).json().path("changes");
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).path("user_id").asText()).isEqualTo(d.userId);
    assertThat(changes.get(0).path("device_id").asText()).isEqualTo("QUINNDEV");
    assertThat(ms).as("woken by the notice, not by the 20 s timeout").isLessThan(5_000);

    // nothing new: the long-poll ends at its timeout with no changes and the same position
    JsonNode quiet =
        ok(a.http.get(
                BASE
                    + "/device_list_changes?from="
                    + woken.json().path("next").asText()
                    + "&timeout_ms=300",
                INTERNAL_TOKEN))
            .json();
    assertThat(quiet.path("changes")).isEmpty();
    assertThat(quiet.path("next").asText()).isEqualTo(woken.json().path("next").asText());
    assertThat(a.http.get(BASE + "/device_list_changes?from=x", INTERNAL_TOKEN).status())
        .isEqualTo(400);
    assertThat(a.http.get(BASE + "/device_list_changes?timeout_ms=600001", INTERNAL_TOKEN).status())
        .isEqualTo(400);
  }

  @Test
  void a_device_the_host_deleted_loses_its_keys_atomically_audited_and_streamed() throws Exception {
    TestKeydir k = keydir(TestDatabase.fresh(), Map.of());
    SigningDevice d = login("rosa", "ROSADEV");
    var body = d.oneTimeKeys("K1", "K2");
    body.set("device_keys", d.deviceKeys());
    ok(k.http.post(DelegatedAuthTest.UPLOAD, d.token, body));
    Http.Response deleted =
        ok(
            k.http.method(
                "DELETE", BASE + "/users/" + d.userId + "/devices/ROSADEV", INTERNAL_TOKEN, null));
    assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
    assertThat(
            k.http
                .get(
                    "/_keydir/admin/v1/users/" + d.userId + "/devices/ROSADEV",
                    TestKeydir.ADMIN_TOKEN)
                .status())
        .isEqualTo(404);
    Http.Response audit =
        k.http.get(
            "/_keydir/admin/v1/audit?user_id=" + java.net.URLEncoder.encode(d.userId, "UTF-8"),
            TestKeydir.ADMIN_TOKEN);
    assertThat(audit.json().path("entries").get(0).path("action").asText())
        .isEqualTo("device.delete");
    assertThat(audit.json().path("entries").get(0).path("actor").asText()).isEqualTo("host");
    JsonNode changes =
        k.http.get(BASE + "/device_list_changes?from=d0", INTERNAL_TOKEN).json().path("changes");
    JsonNode last = changes.get(changes.size() - 1);
    assertThat(last.path("kind").asText()).isEqualTo("device_deleted");
    assertThat(last.path("device_id").asText()).isEqualTo("ROSADEV");
    // again: idempotent, and nothing new in the stream
    Http.Response again =
        ok(
            k.http.method(
                "DELETE", BASE + "/users/" + d.userId + "/devices/ROSADEV", INTERNAL_TOKEN, null));
    assertThat(again.json().path("deleted").asBoolean()).isFalse();
    assertThat(
            k.http
                .get(BASE + "/device_list_changes?from=d0", INTERNAL_TOKEN)
                .json()
                .path("changes"))
        .hasSize(changes.size());
    // the cached verdict went with the device: the host says the token is gone, so it is refused
    // now
    host.tokens.remove(d.token);
    assertThat(k.http.post(DelegatedAuthTest.UPLOAD, d.token, "{}").status()).isEqualTo(401);
  }

  @Test
  void the_host_approves_a_cross_signing_reset_for_a_window() throws Exception {
    TestKeydir k = keydir(TestDatabase.fresh(), Map.of());
    SigningDevice d = login("sam", "SAMDEV");
    Http.Response r =
        ok(
            k.http.post(
                BASE + "/users/" + d.userId + "/cross_signing/allow_replacement",
                INTERNAL_TOKEN,
                "{\"for_ms\":60000}"));
    assertThat(r.json().path("expires_ts").asLong())
        .isGreaterThan(System.currentTimeMillis() + 50_000);
    Http.Response audit =
        k.http.get(
            "/_keydir/admin/v1/audit?user_id=" + java.net.URLEncoder.encode(d.userId, "UTF-8"),
            TestKeydir.ADMIN_TOKEN);
    assertThat(audit.text()).contains("\"actor\":\"host\"");
    assertThat(
            k.http
                .post(
                    BASE + "/users/" + d.userId + "/cross_signing/allow_replacement",
                    INTERNAL_TOKEN,
                    "{\"for_ms\":\"soon\"}")
                .errcode())
        .isEqualTo("M_BAD_JSON");
  }

  @Test
  void on_its_own_listener_the_internal_api_is_not_on_the_client_port() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TestKeydir k =
        keydir(TestDatabase.fresh(), Map.of("KEYDIR_INTERNAL_LISTEN", "127.0.0.1:" + port));
    assertThat(k.http.get(BASE + "/device_list_changes", INTERNAL_TOKEN).status()).isEqualTo(404);
    Http internal = new Http("http://127.0.0.1:" + port);
    assertThat(internal.get(BASE + "/device_list_changes", INTERNAL_TOKEN).status()).isEqualTo(200);
    assertThat(internal.get("/ready", null).status()).isEqualTo(200);
    assertThat(internal.post(DelegatedAuthTest.UPLOAD, "syt_x", "{}").status()).isEqualTo(404);
  }

  static Http.Response ok(Http.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }
}
