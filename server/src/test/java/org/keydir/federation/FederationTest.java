package org.keydir.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.SecretBox;
import org.keydir.serverkeys.SigningKey;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Two keydir servers (a.test, b.test), separate databases, federating over real HTTP and X-Matrix.
 */
@DisplayName("Federation between two keydir servers")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FederationTest {
  private static final HttpClient RAW = HttpClient.newHttpClient();
  private TestKeydir a;
  private TestKeydir b;
  private TestKeydir c;

  @BeforeAll
  void start() throws Exception {
    int pa = freePort();
    int pb = freePort();
    int pc = freePort();
    String map =
        "a.test=http://127.0.0.1:"
            + pa
            + ",b.test=http://127.0.0.1:"
            + pb
            + ",c.test=http://127.0.0.1:"
            + pc;
    a =
        TestKeydir.start(
            TestDatabase.fresh(), env("a.test", pa, map, TestKeydir.REFETCH_FAST_ROTATING_PEERS));
    // b rotates every 6 s, with 2 s of grace for a key it just stopped signing with (production: 2
    // min).
    // Loaded clean-clone CI runs twice overran tighter margins (0.5 s, then 1 s): a request b
    // signed
    // just before an expiry reached a, which had to refetch b's short-lived key response, after the
    // grace, and got a 401 — the verifier's latency, not a keydir rule.
    b =
        TestKeydir.start(
            TestDatabase.fresh(),
            env(
                "b.test",
                pb,
                map,
                Map.of(
                    "KEYDIR_ROTATION_REFRESH_INTERVAL",
                    "1s",
                    "KEYDIR_ROTATION_PENDING_DURATION",
                    "3s",
                    "KEYDIR_ROTATION_ROTATION_PERIOD",
                    "6s",
                    "KEYDIR_ROTATION_EXPIRED_RETENTION",
                    "6s")));
    c =
        TestKeydir.start(
            TestDatabase.fresh(), env("c.test", pc, map, TestKeydir.REFETCH_FAST_ROTATING_PEERS));
  }

  @AfterAll
  void stop() {
    a.close();
    b.close();
    c.close();
  }

  static Map<String, String> env(String name, int port, String map, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("KEYDIR_SERVER_NAME", name);
    env.put("KEYDIR_LISTEN_PORT", Integer.toString(port));
    env.put("KEYDIR_FEDERATION_SERVERS", map);
    return env;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A device on {@code kd} with identity keys, n one-time keys and a fallback key. */
  static SigningDevice stocked(TestKeydir kd, String localpart, int n) {
    SigningDevice d = new SigningDevice(kd.createDevice(localpart, null));
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) ids[i] = String.format("K%04d", i);
    ObjectNode body = d.oneTimeKeys(ids);
    body.set("device_keys", d.deviceKeys());
    body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
    assertThat(kd.http.post("/_matrix/client/v3/keys/upload", d.token, body).status())
        .isEqualTo(200);
    return d;
  }

  static String claimBody(SigningDevice target) {
    return "{\"one_time_keys\":{\""
        + target.userId
        + "\":{\""
        + target.deviceId
        + "\":\"signed_curve25519\"}},\"timeout\":10000}";
  }

  @Test
  void a_user_on_a_queries_and_claims_a_user_on_b_and_the_reverse_with_signatures_intact() {
    SigningDevice onA = stocked(a, "alice", 3);
    SigningDevice onB = stocked(b, "bob", 3);
    for (var pair : List.of(List.of(a, onA, onB), List.of(b, onB, onA))) {
      TestKeydir home = (TestKeydir) pair.get(0);
      SigningDevice asker = (SigningDevice) pair.get(1);
      SigningDevice target = (SigningDevice) pair.get(2);
      Http.Response q =
          home.http.post(
              "/_matrix/client/v3/keys/query",
              asker.token,
              "{\"device_keys\":{\"" + target.userId + "\":[]}}");
      assertThat(q.status()).as(q.toString()).isEqualTo(200);
      assertThat(q.json().get("failures").size()).as(q.toString()).isZero();
      JsonNode keys = q.json().path("device_keys").path(target.userId).path(target.deviceId);
      assertThat(target.verifies(keys)).isTrue();

      Http.Response cl =
          home.http.post("/_matrix/client/v3/keys/claim", asker.token, claimBody(target));
      assertThat(cl.json().get("failures").size()).as(cl.toString()).isZero();
      JsonNode claimed =
          cl.json()
              .path("one_time_keys")
              .path(target.userId)
              .path(target.deviceId)
              .path("signed_curve25519:K0000");
      assertThat(target.verifies(claimed)).as(cl.toString()).isTrue();
    }
  }

  @Test
  void the_device_list_of_a_user_is_served_to_peers_with_a_stream_id() throws Exception {
    SigningDevice onB = stocked(b, "listed", 1);
    HttpResponse<String> r =
        signedAs(
            a,
            "GET",
            b,
            "/_matrix/federation/v1/user/devices/" + onB.userId.replace("@", "%40"),
            null,
            "b.test");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(body.get("user_id").asText()).isEqualTo(onB.userId);
    assertThat(body.get("stream_id").asLong()).isPositive();
    assertThat(onB.verifies(body.at("/devices/0/keys"))).isTrue();
  }

  @Test
  void peers_get_master_and_self_signing_keys_and_never_a_user_signing_key() throws Exception {
    SigningDevice onB = stocked(b, "crosssigned", 0);
    org.keydir.testing.CrossSigningIdentity id =
        new org.keydir.testing.CrossSigningIdentity(onB.userId);
    assertThat(
            b.http
                .post(
                    "/_matrix/client/v3/keys/device_signing/upload",
                    onB.token,
                    org.keydir.crypto.CanonicalJson.encode(id.all()))
                .status())
        .isEqualTo(200);
    ObjectNode q = JsonNodeFactory.instance.objectNode();
    q.putObject("device_keys").putArray(onB.userId);
    HttpResponse<String> r =
        signedAs(a, "POST", b, "/_matrix/federation/v1/user/keys/query", q, "b.test");
    JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(
            body.path("master_keys")
                .path(onB.userId)
                .path("keys")
                .has("ed25519:" + id.master.publicKeyBase64()))
        .as(r.body())
        .isTrue();
    assertThat(body.path("self_signing_keys").has(onB.userId)).isTrue();
    assertThat(body.path("user_signing_keys").has(onB.userId)).isFalse();
    HttpResponse<String> devices =
        signedAs(
            a,
            "GET",
            b,
            "/_matrix/federation/v1/user/devices/" + onB.userId.replace("@", "%40"),
            null,
            "b.test");
    JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(devices.body());
    assertThat(list.path("master_key").path("keys").has("ed25519:" + id.master.publicKeyBase64()))
        .isTrue();
    assertThat(list.has("self_signing_key")).isTrue();
    assertThat(list.has("user_signing_key")).isFalse();
    assertThat(devices.body()).doesNotContain(id.usk.publicKeyBase64());
  }

  @Test
  void a_client_query_passes_a_remote_user_s_master_and_self_signing_keys_through()
      throws Exception {
    SigningDevice onB = stocked(b, "remoteidentity", 0);
    org.keydir.testing.CrossSigningIdentity id =
        new org.keydir.testing.CrossSigningIdentity(onB.userId);
    assertThat(
            b.http
                .post(
                    "/_matrix/client/v3/keys/device_signing/upload",
                    onB.token,
                    org.keydir.crypto.CanonicalJson.encode(id.all()))
                .status())
        .isEqualTo(200);
    SigningDevice onA = stocked(a, "remoteasker", 0);
    JsonNode r =
        a.http
            .post(
                "/_matrix/client/v3/keys/query",
                onA.token,
                "{\"device_keys\":{\"" + onB.userId + "\":[]},\"timeout\":5000}")
            .json();
    assertThat(
            r.path("master_keys")
                .path(onB.userId)
                .path("keys")
                .has("ed25519:" + id.master.publicKeyBase64()))
        .as(r.toString())
        .isTrue();
    assertThat(r.path("self_signing_keys").has(onB.userId)).isTrue();
    assertThat(r.path("user_signing_keys").has(onB.userId)).isFalse();
  }

  @Test
  void concurrent_local_and_federated_claims_on_one_device_never_share_a_key() throws Exception {
    SigningDevice target = stocked(b, "popular", 100);
    SigningDevice localClaimer = new SigningDevice(b.createDevice("localc", null));
    SigningDevice remoteClaimer = new SigningDevice(a.createDevice("remotec", null));
    ExecutorService pool = Executors.newFixedThreadPool(24);
    ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> work = new ArrayList<>();
    for (int t = 0; t < 24; t++) {
      boolean remote = t % 2 == 0;
      work.add(
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                for (int i = 0; i < 5; i++) {
                  Http.Response r =
                      (remote ? a : b)
                          .http.post(
                              "/_matrix/client/v3/keys/claim",
                              (remote ? remoteClaimer : localClaimer).token,
                              claimBody(target));
                  JsonNode keys =
                      r.json().path("one_time_keys").path(target.userId).path(target.deviceId);
                  keys.fieldNames().forEachRemaining(got::add);
                  assertThat(r.json().get("failures").size()).as(r.toString()).isZero();
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);
    pool.shutdown();
    List<String> oneTime = got.stream().filter(id -> !id.equals("signed_curve25519:FB")).toList();
    assertThat(new HashSet<>(oneTime)).as("a key handed out twice").hasSameSizeAs(oneTime);
    assertThat(oneTime).hasSize(100);
    assertThat(got).hasSize(120);
  }

  @Nested
  class Inbound_authentication {
    @Test
    void a_request_signed_by_a_key_the_origin_never_published_is_401() throws Exception {
      byte[] fakeSeed = Ed25519.generate(new java.security.SecureRandom()).seed();
      HttpResponse<String> r =
          send(
              b,
              "POST",
              "/_matrix/federation/v1/user/keys/query",
              RequestSignatures.sign(
                      "POST",
                      "/_matrix/federation/v1/user/keys/query",
                      "a.test",
                      "b.test",
                      query(),
                      "ed25519:forged",
                      fakeSeed)
                  .format(),
              query());
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("M_UNAUTHORIZED");
    }

    @Test
    void a_request_signed_by_a_known_key_id_with_another_key_is_401() throws Exception {
      String realKeyId =
          a.http.get("/_matrix/key/v2/server", null).json().get("verify_keys").fieldNames().next();
      byte[] fakeSeed = Ed25519.generate(new java.security.SecureRandom()).seed();
      HttpResponse<String> r =
          send(
              b,
              "POST",
              "/_matrix/federation/v1/user/keys/query",
              RequestSignatures.sign(
                      "POST",
                      "/_matrix/federation/v1/user/keys/query",
                      "a.test",
                      "b.test",
                      query(),
                      realKeyId,
                      fakeSeed)
                  .format(),
              query());
      assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void a_request_for_another_destination_or_replayed_to_another_server_is_401() throws Exception {
      HttpResponse<String> wrongDestination =
          signedAs(a, "POST", c, "/_matrix/federation/v1/user/keys/query", query(), "b.test");
      assertThat(wrongDestination.statusCode()).isEqualTo(401);
      assertThat(wrongDestination.body()).contains("M_UNAUTHORIZED");
      // the same signed request, with the destination parameter dropped, still names b.test in what
      // was signed
      SigningKey key = activeKey(a);
      XMatrixHeader h =
          RequestSignatures.sign(
              "POST",
              "/_matrix/federation/v1/user/keys/query",
              "a.test",
              "b.test",
              query(),
              key.keyId(),
              key.seed());
      String noDestination =
          "X-Matrix origin=\"a.test\",key=\"" + h.keyId() + "\",sig=\"" + h.sig() + "\"";
      assertThat(
              send(c, "POST", "/_matrix/federation/v1/user/keys/query", noDestination, query())
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              send(b, "POST", "/_matrix/federation/v1/user/keys/query", noDestination, query())
                  .statusCode())
          .isEqualTo(200);
    }

    @Test
    void a_request_signed_by_a_key_that_is_no_longer_in_verify_keys_is_401() throws Exception {
      // b rotates every second: wait until its first key is only in old_verify_keys, then sign with
      // it
      SigningKey old = activeKey(b);
      for (int i = 0; i < 100; i++) {
        JsonNode published = b.http.get("/_matrix/key/v2/server", null).json();
        if (published.get("old_verify_keys").has(old.keyId())) break;
        Thread.sleep(100);
      }
      HttpResponse<String> r =
          send(
              a,
              "POST",
              "/_matrix/federation/v1/user/keys/query",
              RequestSignatures.sign(
                      "POST",
                      "/_matrix/federation/v1/user/keys/query",
                      "b.test",
                      "a.test",
                      query(),
                      old.keyId(),
                      old.seed())
                  .format(),
              query());
      assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void a_missing_or_malformed_header_is_401_M_UNAUTHORIZED() throws Exception {
      for (String header :
          new String[] {
            null, "Bearer x", "X-Matrix origin=a.test", "X-Matrix origin=\"a.test,key=\"x\""
          }) {
        HttpResponse<String> r =
            send(b, "POST", "/_matrix/federation/v1/user/keys/query", header, query());
        assertThat(r.statusCode()).as(header).isEqualTo(401);
        assertThat(r.body()).as(header).contains("M_UNAUTHORIZED");
      }
    }

    @Test
    void a_peer_asking_about_users_of_another_server_gets_nothing_of_theirs() throws Exception {
      stocked(c, "carol", 1);
      ObjectNode q = JsonNodeFactory.instance.objectNode();
      q.putObject("device_keys").putArray("@carol:c.test");
      HttpResponse<String> r =
          signedAs(a, "POST", b, "/_matrix/federation/v1/user/keys/query", q, "b.test");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("carol");
    }
  }

  @Test
  void key_rotations_on_b_during_continuous_traffic_both_ways_cause_no_failed_request()
      throws Exception {
    SigningDevice onA = stocked(a, "steady", 0);
    SigningDevice onB = stocked(b, "rotating", 0);
    String firstKey = activeKey(b).keyId();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<List<String>>> work = new ArrayList<>();
    long end = System.currentTimeMillis() + 8_000;
    for (int t = 0; t < 4; t++) {
      boolean fromB = t % 2 == 0;
      work.add(
          pool.submit(
              () -> {
                List<String> problems = new ArrayList<>();
                while (System.currentTimeMillis() < end) {
                  Http.Response r =
                      (fromB ? b : a)
                          .http.post(
                              "/_matrix/client/v3/keys/query",
                              (fromB ? onB : onA).token,
                              "{\"device_keys\":{\""
                                  + (fromB ? onA : onB).userId
                                  + "\":[]},\"timeout\":5000}");
                  if (r.status() != 200
                      || r.json().get("failures").size() > 0
                      || r.json().path("device_keys").size() != 1) {
                    problems.add(r.toString());
                  }
                }
                return problems;
              }));
    }
    for (Future<List<String>> f : work) assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
    pool.shutdown();
    assertThat(activeKey(b).keyId()).as("b rotated meanwhile").isNotEqualTo(firstKey);
  }

  @Test
  void a_server_that_is_down_is_listed_in_failures_within_the_timeout() throws Exception {
    int deadPort = freePort();
    try (TestKeydir lonely =
        TestKeydir.start(
            TestDatabase.fresh(),
            env(
                "lonely.test",
                freePort(),
                "gone.test=http://127.0.0.1:" + deadPort + ",slow.test=http://10.255.255.1:8448",
                Map.of()))) {
      SigningDevice asker = new SigningDevice(lonely.createDevice("asker", null));
      long t0 = System.currentTimeMillis();
      Http.Response r =
          lonely.http.post(
              "/_matrix/client/v3/keys/query",
              asker.token,
              "{\"device_keys\":{\"@x:gone.test\":[],\"@y:slow.test\":[]},\"timeout\":1000}");
      long took = System.currentTimeMillis() - t0;
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("failures").has("gone.test")).isTrue();
      assertThat(r.json().get("failures").has("slow.test")).isTrue();
      assertThat(took).isLessThan(3_000);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  static ObjectNode query() {
    ObjectNode q = JsonNodeFactory.instance.objectNode();
    q.putObject("device_keys").putArray("@nobody:b.test");
    return q;
  }

  /**
   * The active signing key of {@code kd}, read from its database with the test key-encryption key.
   */
  static SigningKey activeKey(TestKeydir kd) {
    var row =
        kd.keydir
            .database()
            .pool()
            .query("SELECT key_id, sealed_seed FROM server_signing_keys WHERE state = 'active'")
            .execute()
            .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
            .await()
            .iterator()
            .next();
    SecretBox box =
        new SecretBox(java.util.Base64.getDecoder().decode(TestKeydir.KEY_ENCRYPTION_KEY));
    return new SigningKey(
        row.getString("key_id"),
        box.open(row.getBuffer("sealed_seed").getBytes(), row.getString("key_id")));
  }

  /** A request from {@code origin}'s server, signed with its active key, sent to {@code target}. */
  static HttpResponse<String> signedAs(
      TestKeydir origin,
      String method,
      TestKeydir target,
      String uri,
      JsonNode body,
      String destination)
      throws Exception {
    SigningKey key = activeKey(origin);
    String originName = origin.serverName;
    XMatrixHeader h =
        RequestSignatures.sign(method, uri, originName, destination, body, key.keyId(), key.seed());
    return send(target, method, uri, h.format(), body);
  }

  static HttpResponse<String> send(
      TestKeydir target, String method, String uri, String authorization, JsonNode body)
      throws Exception {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(target.keydir.baseUrl() + uri))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(
                        org.keydir.crypto.CanonicalJson.encode(body)));
    if (authorization != null) rb.header("Authorization", authorization);
    return RAW.send(rb.build(), HttpResponse.BodyHandlers.ofString());
  }
}
