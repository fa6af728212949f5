package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.FakeHost;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Host mode: remote servers learn of our users' key changes (the federation outbox)")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OutboxTest {
  static final String REMOTE = "remote.test";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private final List<AutoCloseable> open = new ArrayList<>();
  private FakeHost host;
  private FakeHost remote;
  private Path keyFile;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) c.close();
  }

  private void startFakes() throws Exception {
    host = new FakeHost(TestKeydir.SERVER_NAME);
    remote = new FakeHost(REMOTE);
    open.add(host);
    open.add(remote);
    remote.trustedOrigins.put(TestKeydir.SERVER_NAME, new String[] {host.keyId, host.publicKey()});
    keyFile = host.writeSigningKey(TestDatabase.tempDir("outbox-key"));
  }

  private Map<String, String> env() {
    Map<String, String> env = DelegatedAuthTest.whoamiEnv(host);
    env.put("KEYDIR_SERVER_KEYS_MODE", "host");
    env.put("KEYDIR_SERVER_KEYS_HOST_SIGNING_KEY_PATH", keyFile.toString());
    env.put("KEYDIR_FEDERATION_SERVERS", REMOTE + "=" + remote.url());
    env.put("KEYDIR_FEDERATION_OUTBOX_INTERVAL_MS", "100");
    env.put("KEYDIR_FEDERATION_OUTBOX_LEASE_MS", "1500");
    env.put("KEYDIR_FEDERATION_BACKOFF_INITIAL_MS", "100");
    env.put("KEYDIR_FEDERATION_BACKOFF_MAX_MS", "800");
    env.put("KEYDIR_FEDERATION_REQUEST_TIMEOUT_MS", "1000");
    return env;
  }

  private TestKeydir keydir(String db) {
    TestKeydir k = TestKeydir.start(db, env());
    open.add(0, k);
    return k;
  }

  private SigningDevice login(String localpart, String deviceId) {
    return host.loggedIn(localpart, deviceId);
  }

  private static void upload(TestKeydir k, SigningDevice d) {
    var body = d.oneTimeKeys("O" + d.deviceId);
    body.set("device_keys", d.deviceKeys());
    Http.Response r = k.http.post(DelegatedAuthTest.UPLOAD, d.token, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  /**
   * The remote server asks keydir about a user, signed as itself: from now on it is told of
   * changes.
   */
  private void remoteAsksAbout(String baseUrl, String userId) throws Exception {
    String uri =
        "/_matrix/federation/v1/user/devices/" + java.net.URLEncoder.encode(userId, "UTF-8");
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(baseUrl + uri))
                .header("Authorization", remote.xMatrix("GET", uri, TestKeydir.SERVER_NAME, null))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static void await(String what, long seconds, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  /** Every EDU the remote received, in arrival order. */
  private List<JsonNode> edus() {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode txn : remote.transactions) txn.path("edus").forEach(out::add);
    return out;
  }

  /**
   * The stream ids of device changes the remote must hear of for {@code user}: every device /
   * device_deleted entry.
   */
  /** The outbox's count of failures in a row for the remote, as keydir recorded it. */
  private static int failuresInARow(TestKeydir kd) {
    var rows =
        kd.keydir
            .database()
            .pool()
            .query("SELECT coalesce(max(failures), 0) FROM federation_destinations")
            .execute()
            .timeout(30, TimeUnit.SECONDS)
            .await();
    return rows.iterator().next().getInteger(0);
  }

  private static long position(Http http) {
    return Long.parseLong(
        http.get("/_keydir/admin/v1/device_lists/position", TestKeydir.ADMIN_TOKEN)
            .json()
            .path("position")
            .asText()
            .substring(1));
  }

  private static TreeSet<Long> expectedDeviceUpdates(TestKeydir k, String user, long after) {
    JsonNode changes =
        k.http
            .get(
                "/_keydir/internal/v1/device_list_changes?from=d0&limit=1000",
                DelegatedAuthTest.INTERNAL_TOKEN)
            .json()
            .path("changes");
    TreeSet<Long> out = new TreeSet<>();
    for (JsonNode c : changes) {
      if (c.path("user_id").asText().equals(user)
          && c.path("kind").asText().startsWith("device")
          && Long.parseLong(c.path("position").asText().substring(1)) > after) {
        out.add(Long.parseLong(c.path("position").asText().substring(1)));
      }
    }
    return out;
  }

  /**
   * First arrival of each stream id, in arrival order: ascending, each chained to the one before.
   */
  private void assertChained(String user, TreeSet<Long> expected) {
    Map<Long, JsonNode> first = new LinkedHashMap<>();
    for (JsonNode e : edus()) {
      JsonNode c = e.path("content");
      if (e.path("edu_type").asText().equals("m.device_list_update")
          && c.path("user_id").asText().equals(user)) {
        first.putIfAbsent(c.path("stream_id").asLong(), c);
      }
    }
    assertThat(first.keySet()).as("every change, once or more").containsAll(expected);
    Long previous = null;
    for (var entry : first.entrySet()) {
      if (previous != null) {
        assertThat(entry.getKey()).as("in stream order").isGreaterThan(previous);
        assertThat(entry.getValue().path("prev_id").toString())
            .as("chained to the one before")
            .isEqualTo("[" + previous + "]");
      }
      previous = entry.getKey();
    }
  }

  @Test
  void
      a_server_that_asked_gets_every_change_through_down_slow_and_up_and_nobody_asked_means_no_edu()
          throws Exception {
    startFakes();
    String db = TestDatabase.fresh();
    TestKeydir a = keydir(db);
    TestKeydir b = keydir(db);
    SigningDevice alice = login("alice", "ALICE1");
    SigningDevice carol = login("carol", "CAROL1");
    upload(a, alice);
    remoteAsksAbout(a.keydir.baseUrl(), alice.userId);
    long asked = position(a.http);
    remote.stop();
    upload(b, login("alice", "ALICE2"));
    upload(a, carol);
    assertThat(
            b.http
                .method(
                    "DELETE",
                    "/_keydir/internal/v1/users/" + alice.userId + "/devices/ALICE2",
                    DelegatedAuthTest.INTERNAL_TOKEN,
                    null)
                .status())
        .isEqualTo(200);
    Http.Response cs =
        a.http.post(
            "/_matrix/client/v3/keys/device_signing/upload",
            alice.token,
            new CrossSigningIdentity(alice.userId).all());
    assertThat(cs.status()).as(cs.toString()).isEqualTo(200);
    // alice's last device goes too: the servers that asked are told before they are forgotten
    assertThat(
            a.http
                .method(
                    "DELETE",
                    "/_keydir/internal/v1/users/" + alice.userId + "/devices/ALICE1",
                    DelegatedAuthTest.INTERNAL_TOKEN,
                    null)
                .status())
        .isEqualTo(200);
    // the remote stays down until keydir failed to reach it twice (refused connections, backing
    // off)
    await("two failed sends to the remote while it is down", 30, () -> failuresInARow(a) >= 2);
    remote.restart();
    int sentBefore = remote.sendAttempts.get();
    remote.mode = FakeHost.Mode.SLOW; // slower than keydir's 1 s deadline
    await(
        "two sends to the slow remote, each past keydir's deadline",
        30,
        () -> remote.sendAttempts.get() >= sentBefore + 2);
    remote.mode = FakeHost.Mode.UP;
    TreeSet<Long> expected = expectedDeviceUpdates(a, alice.userId, asked);
    assertThat(expected).hasSize(4); // ALICE2 seen, its keys, its deletion; ALICE1's deletion
    await(
        "every change of alice at the remote",
        30,
        () -> {
          Map<Long, Boolean> seen = new HashMap<>();
          edus().forEach(e -> seen.put(e.path("content").path("stream_id").asLong(), true));
          return expected.stream().allMatch(seen::containsKey)
              && edus().stream()
                  .anyMatch(e -> e.path("edu_type").asText().equals("m.signing_key_update"));
        });
    assertChained(alice.userId, expected);
    JsonNode deleted =
        edus().stream()
            .filter(
                e ->
                    e.path("content").path("device_id").asText().equals("ALICE2")
                        && e.path("content").path("deleted").asBoolean())
            .findFirst()
            .orElseThrow();
    assertThat(deleted.path("content").path("user_id").asText()).isEqualTo(alice.userId);
    assertThat(edus())
        .as("the last device's deletion")
        .anyMatch(
            e ->
                e.path("content").path("device_id").asText().equals("ALICE1")
                    && e.path("content").path("deleted").asBoolean());
    JsonNode signing =
        edus().stream()
            .filter(e -> e.path("edu_type").asText().equals("m.signing_key_update"))
            .findFirst()
            .orElseThrow()
            .path("content");
    assertThat(signing.path("master_key").path("usage").toString()).isEqualTo("[\"master\"]");
    assertThat(edus())
        .noneMatch(e -> e.path("content").path("user_id").asText().equals(carol.userId));
    assertThat(remote.transactionFailures).isEmpty();
    for (JsonNode txn : remote.transactions)
      assertThat(txn.path("origin").asText()).isEqualTo(TestKeydir.SERVER_NAME);
    // counted once the delivery is recorded (just after the remote answered)
    await(
        "the outbox counters",
        10,
        () -> {
          String metrics =
              a.http.get("/metrics", null).text() + b.http.get("/metrics", null).text();
          return metrics.contains(
                  "keydir_federation_outbox_failures_total{destination=\"remote.test\"}")
              && metrics.contains(
                  "keydir_federation_outbox_deliveries_total{destination=\"remote.test\"}");
        });
  }

  @Test
  void after_a_kill_9_of_the_sending_replica_another_one_delivers_everything() throws Exception {
    startFakes();
    String db = TestDatabase.fresh();
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process sender = serve(db, port);
    long asked;
    Http senderHttp = new Http("http://127.0.0.1:" + port);
    try {
      await(
          "the child keydir",
          60,
          () -> {
            try {
              return senderHttp.get("/ready", null).status() == 200;
            } catch (RuntimeException notYet) {
              return false;
            }
          });
      SigningDevice dave = login("dave", "DAVE1");
      Http.Response first = senderHttp.post(DelegatedAuthTest.UPLOAD, dave.token, "{}");
      assertThat(first.status()).as(first.toString()).isEqualTo(200);
      remoteAsksAbout("http://127.0.0.1:" + port, dave.userId);
      asked = position(senderHttp);
      remote.mode = FakeHost.Mode.SLOW; // the child's request hangs at the remote…
      for (String d : List.of("DAVE2", "DAVE3")) {
        SigningDevice dev = login("dave", d);
        var body = dev.oneTimeKeys("X" + d);
        body.set("device_keys", dev.deviceKeys());
        assertThat(senderHttp.post(DelegatedAuthTest.UPLOAD, dev.token, body).status())
            .isEqualTo(200);
      }
      await("the child sending", 20, () -> remote.sendAttempts.get() > 0);
    } finally {
      sender
          .destroyForcibly()
          .waitFor(); // …and the child dies with SIGKILL, lease held, rows queued
    }
    Thread.sleep(3_500); // the hung request ends at the remote (into a dead socket)…
    remote.transactions
        .clear(); // …and whatever it carried does not count: the next replica must send
    remote.mode = FakeHost.Mode.UP;
    TestKeydir b = keydir(db); // another replica: takes the lease once it runs out
    TreeSet<Long> expected = expectedDeviceUpdates(b, "@dave:" + TestKeydir.SERVER_NAME, asked);
    assertThat(expected).hasSize(4); // DAVE2 and DAVE3: each seen, then its keys
    await(
        "every change of dave at the remote",
        30,
        () -> {
          Map<Long, Boolean> seen = new HashMap<>();
          edus().forEach(e -> seen.put(e.path("content").path("stream_id").asLong(), true));
          return expected.stream().allMatch(seen::containsKey);
        });
    assertChained("@dave:" + TestKeydir.SERVER_NAME, expected);
    assertThat(remote.transactionFailures).isEmpty();
  }

  private Process serve(String db, int port) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "org.keydir.cli.KeydirCli",
            "serve");
    Path dir = TestDatabase.tempDir("outbox-child");
    pb.environment().putAll(env());
    pb.environment().put("KEYDIR_SERVER_NAME", TestKeydir.SERVER_NAME);
    pb.environment().put("KEYDIR_DATABASE_URL", db);
    pb.environment().put("KEYDIR_KEY_ENCRYPTION_KEY", TestKeydir.KEY_ENCRYPTION_KEY);
    pb.environment().put("KEYDIR_DATA_DIR", dir.toString());
    pb.environment().put("KEYDIR_LISTEN_PORT", Integer.toString(port));
    pb.environment().put("KEYDIR_ADMIN_TOKEN", TestKeydir.ADMIN_TOKEN);
    pb.environment().put("KEYDIR_RATE_LIMIT_ENABLED", "false");
    pb.environment().put("KEYDIR_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true");
    pb.environment()
        .put("KEYDIR_FEDERATION_REQUEST_TIMEOUT_MS", "20000"); // its request outlives it
    pb.redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "keydir.log"));
    return pb.start();
  }
}
