package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

@DisplayName("Host mode: delegated authentication (whoami and introspection)")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DelegatedAuthTest {
  static final String INTERNAL_TOKEN = "test-internal-token-0123456789";
  static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) c.close();
  }

  static Map<String, String> whoamiEnv(FakeHost host) {
    Map<String, String> env = new HashMap<>();
    env.put("KEYDIR_AUTH_MODE", "delegated");
    env.put("KEYDIR_AUTH_HOST_URL", host.url());
    env.put("KEYDIR_AUTH_HOST_TIMEOUT_MS", "500");
    env.put("KEYDIR_INTERNAL_TOKEN", INTERNAL_TOKEN);
    return env;
  }

  static Map<String, String> introspectionEnv(FakeHost host) {
    Map<String, String> env = whoamiEnv(host);
    env.put("KEYDIR_AUTH_VERIFIER", "introspection");
    env.put("KEYDIR_AUTH_INTROSPECTION_URL", host.url() + "/oauth2/introspect");
    env.put("KEYDIR_AUTH_CLIENT_ID", FakeHost.CLIENT_ID);
    env.put("KEYDIR_AUTH_CLIENT_SECRET", FakeHost.CLIENT_SECRET);
    return env;
  }

  private FakeHost host() throws Exception {
    FakeHost h = new FakeHost(TestKeydir.SERVER_NAME);
    open.add(h);
    return h;
  }

  private TestKeydir keydir(String db, Map<String, String> env) {
    TestKeydir k = TestKeydir.start(db, env);
    open.add(0, k);
    return k;
  }

  static Http.Response upload(TestKeydir k, String token, SigningDevice d) {
    var body = d.oneTimeKeys("A1", "A2");
    body.set("device_keys", d.deviceKeys());
    return k.http.post(UPLOAD, token, body);
  }

  static Http.Response uploadNothing(TestKeydir k, String token) {
    return k.http.post(UPLOAD, token, "{}");
  }

  @Test
  void a_host_token_uploads_keys_and_its_device_is_created_implicitly() throws Exception {
    FakeHost host = host();
    TestKeydir k = keydir(TestDatabase.fresh(), whoamiEnv(host));
    String user = "@alice:" + TestKeydir.SERVER_NAME;
    host.login("syt_YWxpY2U_host_token", user, "ALICEPHONE");
    SigningDevice d = new SigningDevice(user, "ALICEPHONE", "syt_YWxpY2U_host_token");
    Http.Response r = upload(k, d.token, d);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("one_time_key_counts").path("signed_curve25519").asInt()).isEqualTo(2);
    Http.Response shown =
        k.http.get(
            "/_keydir/admin/v1/users/" + user + "/devices/ALICEPHONE", TestKeydir.ADMIN_TOKEN);
    assertThat(shown.status()).as(shown.toString()).isEqualTo(200);
    Http.Response audit =
        k.http.get(
            "/_keydir/admin/v1/audit?user_id=" + java.net.URLEncoder.encode(user, "UTF-8"),
            TestKeydir.ADMIN_TOKEN);
    assertThat(audit.text()).contains("\"actor\":\"host\"").contains("device.create");
    // the token was checked once: the second request is served from the cache
    assertThat(uploadNothing(k, d.token).status()).isEqualTo(200);
    assertThat(host.whoamiCalls.get()).isEqualTo(1);
  }

  @Test
  void unknown_foreign_deviceless_and_revoked_tokens_are_refused_as_the_host_says()
      throws Exception {
    FakeHost host = host();
    Map<String, String> env = whoamiEnv(host);
    env.put("KEYDIR_AUTH_CACHE_TTL", "300ms");
    env.put("KEYDIR_AUTH_NEGATIVE_CACHE_TTL", "0s");
    TestKeydir k = keydir(TestDatabase.fresh(), env);
    Http.Response unknown = uploadNothing(k, "syt_nobody");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    assertThat(uploadNothing(k, null).errcode()).isEqualTo("M_MISSING_TOKEN");

    host.login("syt_foreign", "@mallory:elsewhere.example", "DEV");
    Http.Response foreign = uploadNothing(k, "syt_foreign");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.errcode()).isEqualTo("M_FORBIDDEN");

    host.login("syt_appservice", "@bot:" + TestKeydir.SERVER_NAME, null);
    assertThat(uploadNothing(k, "syt_appservice").status()).isEqualTo(403);

    host.login("syt_bob", "@bob:" + TestKeydir.SERVER_NAME, "BOBDEV");
    assertThat(uploadNothing(k, "syt_bob").status()).isEqualTo(200);
    host.tokens.remove("syt_bob"); // logged out at the host: known after the cache TTL
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int status;
    do {
      status = uploadNothing(k, "syt_bob").status();
    } while (status == 200 && System.nanoTime() < deadline);
    assertThat(status).isEqualTo(401);
    assertThat(
            k.http
                .post(
                    "/_keydir/admin/v1/devices",
                    TestKeydir.ADMIN_TOKEN,
                    "{\"user_id\":\"@carol:" + TestKeydir.SERVER_NAME + "\"}")
                .text())
        .contains("delegated");
    assertThat(
            k.http
                .post(
                    "/_keydir/admin/v1/devices",
                    TestKeydir.ADMIN_TOKEN,
                    "{\"user_id\":\"@carol:" + TestKeydir.SERVER_NAME + "\"}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void a_rejection_is_remembered_for_the_negative_ttl_and_the_ttls_are_bounded() throws Exception {
    FakeHost host = host();
    Map<String, String> env = whoamiEnv(host);
    env.put("KEYDIR_AUTH_NEGATIVE_CACHE_TTL", "2s");
    TestKeydir k = keydir(TestDatabase.fresh(), env);
    for (int i = 0; i < 5; i++)
      assertThat(uploadNothing(k, "syt_guessing").status()).isEqualTo(401);
    assertThat(host.whoamiCalls.get())
        .as("a rejected token asks the host once per negative TTL")
        .isEqualTo(1);
    host.login("syt_guessing", "@late:" + TestKeydir.SERVER_NAME, "LATEDEV"); // logged in meanwhile
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    int status;
    do {
      status = uploadNothing(k, "syt_guessing").status();
    } while (status != 200 && System.nanoTime() < deadline);
    assertThat(status).as("accepted once the rejection expired").isEqualTo(200);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestKeydir.config(null, Map.of("KEYDIR_AUTH_CACHE_TTL", "11m")))
        .hasMessageContaining("auth.cache_ttl");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestKeydir.config(null, Map.of("KEYDIR_AUTH_NEGATIVE_CACHE_TTL", "2m")))
        .hasMessageContaining("auth.negative_cache_ttl");
  }

  @Test
  void a_host_that_is_down_failing_or_slow_is_a_503_with_retry_after_never_cached()
      throws Exception {
    FakeHost host = host();
    TestKeydir k = keydir(TestDatabase.fresh(), whoamiEnv(host));
    host.login("syt_dana", "@dana:" + TestKeydir.SERVER_NAME, "DANADEV");
    for (FakeHost.Mode fault : List.of(FakeHost.Mode.ERROR_500, FakeHost.Mode.SLOW)) {
      host.mode = fault;
      Http.Response r = uploadNothing(k, "syt_dana");
      assertThat(r.status()).as(fault + ": " + r).isEqualTo(503);
      assertThat(r.errcode()).isEqualTo("M_UNKNOWN");
      assertThat(r.headers().firstValue("Retry-After")).contains("2");
      host.mode = FakeHost.Mode.UP;
      assertThat(uploadNothing(k, "syt_dana").status())
          .as("recovered after " + fault)
          .isEqualTo(200);
      k.http.post(
          "/_keydir/internal/v1/tokens/invalidate", INTERNAL_TOKEN, "{\"token\":\"syt_dana\"}");
    }
    host.stop();
    Http.Response down = uploadNothing(k, "syt_other");
    assertThat(down.status()).as(down.toString()).isEqualTo(503);
    assertThat(down.text()).doesNotContain("syt_other");
    host.restart();
    host.login("syt_other", "@erin:" + TestKeydir.SERVER_NAME, "ERINDEV");
    assertThat(uploadNothing(k, "syt_other").status()).isEqualTo(200);
  }

  @Test
  void sixty_four_concurrent_requests_with_one_new_token_make_one_host_call() throws Exception {
    FakeHost host = host();
    TestKeydir k = keydir(TestDatabase.fresh(), whoamiEnv(host));
    host.login("syt_busy", "@frank:" + TestKeydir.SERVER_NAME, "FRANKDEV");
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(64);
      List<CompletableFuture<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        all.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    start.await(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  return uploadNothing(k, "syt_busy").status();
                },
                pool));
      }
      for (var f : all) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    assertThat(host.whoamiCalls.get()).isEqualTo(1);
  }

  @Test
  void a_logout_reported_to_one_replica_is_seen_by_another_within_a_second() throws Exception {
    FakeHost host = host();
    String db = TestDatabase.fresh();
    TestKeydir a = keydir(db, whoamiEnv(host));
    TestKeydir b = keydir(db, whoamiEnv(host));
    host.login("syt_gina", "@gina:" + TestKeydir.SERVER_NAME, "GINADEV");
    host.login("syt_hank", "@hank:" + TestKeydir.SERVER_NAME, "HANKDEV");
    for (String t : List.of("syt_gina", "syt_hank")) {
      assertThat(uploadNothing(a, t).status()).isEqualTo(200);
      assertThat(uploadNothing(b, t).status()).isEqualTo(200);
      host.tokens.remove(t);
    }
    assertThat(uploadNothing(b, "syt_gina").status())
        .as("cached for a minute without a notice")
        .isEqualTo(200);
    assertThat(
            a.http
                .post(
                    "/_keydir/internal/v1/tokens/invalidate",
                    INTERNAL_TOKEN,
                    "{\"token\":\"syt_gina\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            a.http
                .post(
                    "/_keydir/internal/v1/tokens/invalidate",
                    INTERNAL_TOKEN,
                    "{\"user_id\":\"@hank:"
                        + TestKeydir.SERVER_NAME
                        + "\",\"device_id\":\"HANKDEV\"}")
                .status())
        .isEqualTo(200);
    for (String t : List.of("syt_gina", "syt_hank")) {
      long t0 = System.nanoTime();
      int status = 200;
      while (status == 200 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1)) {
        status = uploadNothing(b, t).status();
        if (status == 200) Thread.sleep(20);
      }
      assertThat(status).as(t + " on the other replica within a second").isEqualTo(401);
    }
  }

  @Test
  void two_replicas_racing_to_create_one_device_create_it_once() throws Exception {
    FakeHost host = host();
    String db = TestDatabase.fresh();
    TestKeydir a = keydir(db, whoamiEnv(host));
    TestKeydir b = keydir(db, whoamiEnv(host));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      for (int round = 0; round < 10; round++) {
        String user = "@race" + round + ":" + TestKeydir.SERVER_NAME;
        host.login("syt_race_" + round, user, "RACEDEV");
        String token = "syt_race_" + round;
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          TestKeydir k = i % 2 == 0 ? a : b;
          all.add(CompletableFuture.supplyAsync(() -> uploadNothing(k, token).status(), pool));
        }
        for (var f : all) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        JsonNode devices =
            a.http
                .get("/_keydir/admin/v1/users/" + user + "/devices", TestKeydir.ADMIN_TOKEN)
                .json();
        assertThat(devices.path("devices")).hasSize(1);
        JsonNode changes =
            a.http
                .get("/_keydir/internal/v1/device_list_changes?from=d0&limit=1000", INTERNAL_TOKEN)
                .json();
        long entries = 0;
        for (JsonNode c : changes.path("changes"))
          if (c.path("user_id").asText().equals(user)) entries++;
        assertThat(entries).as("stream entries for " + user).isEqualTo(1);
        Http.Response audit =
            a.http.get(
                "/_keydir/admin/v1/audit?user_id=" + java.net.URLEncoder.encode(user, "UTF-8"),
                TestKeydir.ADMIN_TOKEN);
        assertThat(audit.json().path("entries")).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void introspection_accepts_active_tokens_with_api_and_device_scopes_only() throws Exception {
    FakeHost host = host();
    TestKeydir k = keydir(TestDatabase.fresh(), introspectionEnv(host));
    String user = "@ivy:" + TestKeydir.SERVER_NAME;
    host.login("mat_ivy", user, "IVYDEV");
    SigningDevice d = new SigningDevice(user, "IVYDEV", "mat_ivy");
    Http.Response ok = upload(k, "mat_ivy", d);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(host.introspectionCalls.get()).isEqualTo(1);

    assertThat(uploadNothing(k, "mat_unknown").status()).isEqualTo(401); // {"active": false}
    var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    host.introspection.put(
        "mat_unstable",
        f.objectNode()
            .put("active", true)
            .put("username", "jack")
            .put(
                "scope",
                "urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:JACKDEV"));
    assertThat(uploadNothing(k, "mat_unstable").status()).isEqualTo(200);
    host.introspection.put(
        "mat_nodevice",
        f.objectNode()
            .put("active", true)
            .put("username", "kim")
            .put("scope", "urn:matrix:client:api:*"));
    assertThat(uploadNothing(k, "mat_nodevice").status()).isEqualTo(403);
    host.introspection.put(
        "mat_noapi",
        f.objectNode()
            .put("active", true)
            .put("username", "lou")
            .put("scope", "openid urn:matrix:client:device:LOUDEV"));
    assertThat(uploadNothing(k, "mat_noapi").status()).isEqualTo(403);
    host.introspection.put(
        "mat_expired",
        f.objectNode()
            .put("active", true)
            .put("username", "max")
            .put("scope", "urn:matrix:client:api:* urn:matrix:client:device:MAXDEV")
            .put("exp", System.currentTimeMillis() / 1000 - 10));
    assertThat(uploadNothing(k, "mat_expired").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
  }

  @Test
  void host_tokens_and_the_client_secret_never_reach_the_logs() throws Exception {
    FakeHost host = host();
    TestKeydir k = keydir(TestDatabase.fresh(), introspectionEnv(host));
    host.login("mat_secret_token_value", "@sly:" + TestKeydir.SERVER_NAME, "SLYDEV");
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    try {
      System.setErr(new java.io.PrintStream(captured, true));
      uploadNothing(k, "mat_secret_token_value");
      k.http.post(UPLOAD, "mat_secret_token_value", "{not json");
      k.http.get(
          "/_matrix/client/v3/keys/changes?from=d0&to=d1&access_token=mat_secret_token_value",
          null);
      uploadNothing(k, "mat_unknown_token_value");
      host.mode = FakeHost.Mode.ERROR_500;
      uploadNothing(k, "mat_failing_token_value");
      host.stop();
      uploadNothing(k, "mat_unreachable_token_value");
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString())
        .doesNotContain("_token_value")
        .doesNotContain(FakeHost.CLIENT_SECRET);
  }

  @Test
  void introspection_with_wrong_client_credentials_is_a_503_not_a_401() throws Exception {
    FakeHost host = host();
    Map<String, String> env = introspectionEnv(host);
    env.put("KEYDIR_AUTH_CLIENT_SECRET", "not-the-secret-at-all");
    TestKeydir k = keydir(TestDatabase.fresh(), env);
    host.login("mat_nia", "@nia:" + TestKeydir.SERVER_NAME, "NIADEV");
    Http.Response r = uploadNothing(k, "mat_nia");
    assertThat(r.status()).as(r.toString()).isEqualTo(503);
    assertThat(r.text()).doesNotContain("not-the-secret-at-all");
  }
}
