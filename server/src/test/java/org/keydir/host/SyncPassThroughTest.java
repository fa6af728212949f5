package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.host.DelegatedAuthTest.INTERNAL_TOKEN;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.crypto.CanonicalJson;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.FakeHost;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Host mode: /sync through keydir, behind an unmodified homeserver")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncPassThroughTest {
  static final String SYNC = "/_matrix/client/v3/sync";
  private final List<AutoCloseable> open = new ArrayList<>();
  private FakeHost host;
  private TestKeydir a;
  private TestKeydir b;

  @BeforeEach
  void start() throws Exception {
    host = new FakeHost(TestKeydir.SERVER_NAME);
    open.add(host);
    String db = TestDatabase.fresh();
    a = TestKeydir.start(db, DelegatedAuthTest.whoamiEnv(host));
    b = TestKeydir.start(db, DelegatedAuthTest.whoamiEnv(host));
    open.add(0, a);
    open.add(0, b);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) c.close();
  }

  private SigningDevice login(String localpart, String deviceId) {
    return host.loggedIn(localpart, deviceId);
  }

  private static Http.Response ok(Http.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  private static void uploadKeys(TestKeydir k, SigningDevice d, String... otkIds) {
    ObjectNode body = d.oneTimeKeys(otkIds);
    body.set("device_keys", d.deviceKeys());
    ok(k.http.post(DelegatedAuthTest.UPLOAD, d.token, body));
  }

  private static String since(Http.Response r) {
    return URLEncoder.encode(r.json().path("next_batch").asText(), StandardCharsets.UTF_8);
  }

  private static List<String> changed(Http.Response r) {
    List<String> out = new ArrayList<>();
    r.json().path("device_lists").path("changed").forEach(u -> out.add(u.asText()));
    return out;
  }

  @Test
  void counts_and_fallback_types_are_keydirs_and_every_other_byte_is_the_hosts() throws Exception {
    SigningDevice d = login("amy", "AMYDEV");
    ObjectNode body = d.oneTimeKeys("K1", "K2", "K3");
    body.set("device_keys", d.deviceKeys());
    body.putObject("fallback_keys").set("signed_curve25519:F1", d.signedKey(true));
    ok(a.http.post(DelegatedAuthTest.UPLOAD, d.token, body));
    Http.Response r = ok(a.http.get(SYNC + "?timeout=0", d.token));
    JsonNode got = r.json();
    assertThat(got.path("device_one_time_keys_count").toString())
        .isEqualTo("{\"signed_curve25519\":3}");
    assertThat(got.path("device_unused_fallback_key_types").toString())
        .isEqualTo("[\"signed_curve25519\"]");
    assertThat(got.path("org.matrix.msc2732.device_unused_fallback_key_types").toString())
        .isEqualTo("[\"signed_curve25519\"]");
    String next = got.path("next_batch").asText();
    assertThat(next).startsWith("kd1~").endsWith("~s1_4483_1934");
    assertThat(r.headers().firstValue("X-Host-Says")).contains("yes");

    ObjectNode mine = (ObjectNode) got.deepCopy();
    ObjectNode hosts = host.syncAnswer("s1_4483_1934");
    for (ObjectNode o : List.of(mine, hosts)) {
      o.remove(
          List.of(
              "next_batch",
              "device_one_time_keys_count",
              "device_unused_fallback_key_types",
              "org.matrix.msc2732.device_unused_fallback_key_types",
              "device_lists"));
    }
    assertThat(CanonicalJson.encode(mine)).isEqualTo(CanonicalJson.encode(hosts));
  }

  @Test
  void the_wrapped_token_round_trips_and_every_other_parameter_and_header_reaches_the_host()
      throws Exception {
    SigningDevice d = login("bea", "BEADEV");
    Http.Response first = ok(a.http.get(SYNC + "?timeout=0", d.token));
    String filter =
        URLEncoder.encode("{\"room\":{\"timeline\":{\"limit\":10}}}", StandardCharsets.UTF_8);
    ok(
        b.http.get(
            SYNC
                + "?filter="
                + filter
                + "&since="
                + since(first)
                + "&set_presence=offline&timeout=0&full_state=false",
            d.token));
    assertThat(host.lastSyncQuery)
        .isEqualTo(
            "filter="
                + filter
                + "&since=s1_4483_1934&set_presence=offline"
                + "&timeout=0&full_state=false");
    assertThat(host.lastSyncHeaders.getFirst("Authorization")).isEqualTo("Bearer " + d.token);
    assertThat(host.lastSyncHeaders.getFirst("X-Forwarded-For")).isEqualTo("127.0.0.1");

    // a host token from before keydir was put in front: accepted as is, keydir's view starts now
    SigningDevice other = login("cal", "CALDEV");
    uploadKeys(a, other, "K1");
    Http.Response bare = ok(a.http.get(SYNC + "?since=s0_4483_1934&timeout=0", d.token));
    assertThat(host.lastSyncQuery).isEqualTo("since=s0_4483_1934&timeout=0");
    assertThat(changed(bare)).doesNotContain(other.userId);
    assertThat(bare.json().path("next_batch").asText()).startsWith("kd1~");
    assertThat(a.http.get(SYNC + "?since=kd1~x~1~0~s1&timeout=0", d.token).status()).isEqualTo(400);
  }

  @Test
  void errors_from_the_host_pass_through_unchanged() throws Exception {
    SigningDevice d = login("dan", "DANDEV");
    Http.Response r = a.http.get(SYNC + "?filter=bad", d.token);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text())
        .isEqualTo("{\"errcode\":\"M_INVALID_PARAM\",\"error\":\"Invalid filter\"}");
    assertThat(r.headers().firstValue("X-Host-Says")).contains("no");
  }

  @Test
  void tracked_users_changes_are_reported_and_untracked_ones_are_not_from_either_replica()
      throws Exception {
    SigningDevice me = login("eve", "EVEPHONE");
    SigningDevice tracked = login("fay", "FAYDEV");
    SigningDevice untracked = login("gus", "GUSDEV");
    uploadKeys(a, me, "E1");
    uploadKeys(a, tracked, "F1");
    uploadKeys(a, untracked, "G1");
    host.hostChanged.add("@remote:elsewhere.example");
    ok(
        a.http.post(
            "/_matrix/client/v3/keys/query",
            me.token,
            "{\"device_keys\":{\"" + tracked.userId + "\":[]}}"));
    Http.Response s1 = ok(a.http.get(SYNC + "?timeout=0", me.token));

    // device keys of a second device of the tracked user, written on the other replica
    SigningDevice second = login("fay", "FAYLAPTOP");
    uploadKeys(b, second, "F2");
    uploadKeys(b, untracked, "G2");
    Http.Response s2 = ok(a.http.get(SYNC + "?since=" + since(s1) + "&timeout=0", me.token));
    assertThat(changed(s2))
        .contains(tracked.userId, "@remote:elsewhere.example")
        .doesNotContain(untracked.userId);
    assertThat(s2.json().path("device_lists").path("left").toString())
        .isEqualTo("[\"@gone:example.com\"]");

    Http.Response s3 = ok(b.http.get(SYNC + "?since=" + since(s2) + "&timeout=0", me.token));
    assertThat(changed(s3)).doesNotContain(tracked.userId).doesNotContain(untracked.userId);

    // the host deleted one of the tracked user's devices
    ok(
        b.http.method(
            "DELETE",
            "/_keydir/internal/v1/users/" + tracked.userId + "/devices/FAYLAPTOP",
            INTERNAL_TOKEN,
            null));
    Http.Response s4 = ok(a.http.get(SYNC + "?since=" + since(s3) + "&timeout=0", me.token));
    assertThat(changed(s4)).contains(tracked.userId);

    // cross-signing keys, then a signature by them
    CrossSigningIdentity id = new CrossSigningIdentity(tracked.userId);
    ok(b.http.post("/_matrix/client/v3/keys/device_signing/upload", tracked.token, id.all()));
    Http.Response s5 = ok(a.http.get(SYNC + "?since=" + since(s4) + "&timeout=0", me.token));
    assertThat(changed(s5)).contains(tracked.userId);
    ObjectNode signed =
        org.keydir.crypto.JsonSigning.sign(
            tracked.deviceKeys(),
            tracked.userId,
            "ed25519:" + id.ssk.publicKeyBase64(),
            id.ssk.seed());
    ObjectNode sigBody = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    sigBody.putObject(tracked.userId).set("FAYDEV", signed);
    Http.Response sig =
        ok(b.http.post("/_matrix/client/v3/keys/signatures/upload", tracked.token, sigBody));
    assertThat(sig.json().path("failures").size()).as(sig.toString()).isZero();
    Http.Response s6 = ok(a.http.get(SYNC + "?since=" + since(s5) + "&timeout=0", me.token));
    assertThat(changed(s6)).contains(tracked.userId);

    // the caller's own user: a new device of theirs
    SigningDevice myLaptop = login("eve", "EVELAPTOP");
    uploadKeys(b, myLaptop, "E2");
    Http.Response s7 = ok(a.http.get(SYNC + "?since=" + since(s6) + "&timeout=0", me.token));
    assertThat(changed(s7)).contains(me.userId).doesNotContain(untracked.userId);
  }

  @Test
  void news_cuts_the_long_poll_short_and_quiet_forwards_the_clients_timeout() throws Exception {
    SigningDevice me = login("hal", "HALDEV");
    SigningDevice claimer = login("ida", "IDADEV");
    uploadKeys(a, me, "H1", "H2");
    Http.Response s1 = ok(a.http.get(SYNC + "?timeout=0", me.token));
    ok(a.http.get(SYNC + "?since=" + since(s1) + "&timeout=300", me.token));
    assertThat(host.lastSyncQuery).endsWith("timeout=300");

    ok(
        b.http.post(
            "/_matrix/client/v3/keys/claim",
            claimer.token,
            "{\"one_time_keys\":{\"" + me.userId + "\":{\"HALDEV\":\"signed_curve25519\"}}}"));
    long t0 = System.nanoTime();
    Http.Response s2 = ok(a.http.get(SYNC + "?since=" + since(s1) + "&timeout=30000", me.token));
    assertThat(host.lastSyncQuery).endsWith("timeout=0");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    assertThat(s2.json().path("device_one_time_keys_count").path("signed_curve25519").asInt())
        .isEqualTo(1);
  }

  @Test
  void sliding_sync_gets_keydirs_facts_in_the_e2ee_extension_which_stays_on_once_turned_on()
      throws Exception {
    String sliding = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    SigningDevice me = login("lea", "LEADEV");
    SigningDevice tracked = login("max", "MAXDEV");
    uploadKeys(a, me, "L1", "L2");
    uploadKeys(a, tracked, "M1");
    ok(
        a.http.post(
            "/_matrix/client/v3/keys/query",
            me.token,
            "{\"device_keys\":{\"" + tracked.userId + "\":[]}}"));
    String on =
        "{\"lists\":{\"all_rooms\":{\"ranges\":[[0,10]]}},\"extensions\":{\"e2ee\":{\"enabled\":true}}}";
    Http.Response s1 = ok(a.http.post(sliding + "?timeout=0", me.token, on));
    assertThat(host.lastSlidingBody).isEqualTo(on);
    JsonNode e2ee = s1.json().path("extensions").path("e2ee");
    assertThat(e2ee.path("device_one_time_keys_count").toString())
        .isEqualTo("{\"signed_curve25519\":2}");
    assertThat(s1.json().path("pos").asText()).startsWith("kd1~").endsWith("~p1");
    ObjectNode mine = (ObjectNode) s1.json().deepCopy();
    ObjectNode hosts = host.slidingAnswer("p1", true);
    for (ObjectNode o : List.of(mine, hosts)) {
      o.remove("pos");
      ((ObjectNode) o.get("extensions")).remove("e2ee");
    }
    assertThat(CanonicalJson.encode(mine)).isEqualTo(CanonicalJson.encode(hosts));

    // sticky: the next request does not repeat the extension; the host then omits it, keydir does
    // not
    uploadKeys(b, login("max", "MAXTAB"), "M2");
    ok(
        b.http.post(
            "/_matrix/client/v3/keys/claim",
            tracked.token,
            "{\"one_time_keys\":{\"" + me.userId + "\":{\"LEADEV\":\"signed_curve25519\"}}}"));
    String pos = URLEncoder.encode(s1.json().path("pos").asText(), StandardCharsets.UTF_8);
    Http.Response s2 =
        ok(b.http.post(sliding + "?pos=" + pos + "&timeout=30000", me.token, "{\"lists\":{}}"));
    assertThat(host.lastSyncQuery)
        .isEqualTo("pos=p1&timeout=0"); // news: a key was claimed, a tracked user changed
    JsonNode e2 = s2.json().path("extensions").path("e2ee");
    assertThat(e2.path("device_one_time_keys_count").path("signed_curve25519").asInt())
        .isEqualTo(1);
    assertThat(e2.path("device_lists").path("changed").toString()).contains(tracked.userId);

    // turned off: keydir adds nothing (the token still carries keydir's position)
    String pos2 = URLEncoder.encode(s2.json().path("pos").asText(), StandardCharsets.UTF_8);
    Http.Response s3 =
        ok(
            a.http.post(
                sliding + "?pos=" + pos2 + "&timeout=0",
                me.token,
                "{\"extensions\":{\"e2ee\":{\"enabled\":false}}}"));
    assertThat(s3.json().path("extensions").has("e2ee")).isFalse();
    assertThat(s3.json().path("pos").asText()).startsWith("kd1~");
  }

  @Test
  void a_change_during_a_waiting_long_poll_is_in_its_answer_or_the_next() throws Exception {
    SigningDevice me = login("jon", "JONDEV");
    SigningDevice tracked = login("kay", "KAYDEV");
    uploadKeys(a, tracked, "K1");
    ok(
        a.http.post(
            "/_matrix/client/v3/keys/query",
            me.token,
            "{\"device_keys\":{\"" + tracked.userId + "\":[]}}"));
    Http.Response s1 = ok(a.http.get(SYNC + "?timeout=0", me.token));
    CompletableFuture<Http.Response> waiting =
        CompletableFuture.supplyAsync(
            () -> a.http.get(SYNC + "?since=" + since(s1) + "&timeout=2000", me.token));
    org.keydir.testing.Pending.stillPendingAfter(
        waiting, java.time.Duration.ofMillis(500), "/sync with nothing new");
    uploadKeys(b, login("kay", "KAYTABLET"), "K2");
    Http.Response s2 = ok(waiting.get(20, TimeUnit.SECONDS));
    List<String> seen = new ArrayList<>(changed(s2));
    if (!seen.contains(tracked.userId))
      seen.addAll(changed(ok(a.http.get(SYNC + "?since=" + since(s2) + "&timeout=0", me.token))));
    assertThat(seen).contains(tracked.userId);
  }
}
