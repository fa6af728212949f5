package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("What strangers make keydir do on the network is bounded")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OutboundBoundsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String CLIENT_QUERY = "/_matrix/client/v3/keys/query";

  static TestKeydir keydir(Map<String, String> extra) {
    Map<String, String> env =
        new HashMap<>(Map.of("KEYDIR_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "false"));
    env.putAll(extra);
    return TestKeydir.start(TestDatabase.fresh(), env);
  }

  static JsonNode clientQuery(TestKeydir kd, TestKeydir.Device d, String body) throws Exception {
    Raw.Answer a =
        Raw.send(
            kd.keydir.baseUrl() + CLIENT_QUERY,
            "POST",
            "Bearer " + d.token(),
            body,
            Duration.ofSeconds(30));
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return JSON.readTree(a.body());
  }

  @Test
  void loopback_and_private_destinations_are_refused_with_a_generic_failure_and_never_contacted()
      throws Exception {
    try (HostilePeer inside = new HostilePeer("inside");
        TestKeydir kd = keydir(Map.of())) {
      TestKeydir.Device d = kd.createDevice("ssrf", "SSRF");
      String literal = "127.0.0.1:" + inside.port();
      String named = "localhost:" + inside.port();
      JsonNode r =
          clientQuery(
              kd,
              d,
              "{\"device_keys\":{\"@u:"
                  + literal
                  + "\":[],\"@u:"
                  + named
                  + "\":[],\"@u:10.1.2.3:8448\":[],\"@u:[::1]:"
                  + inside.port()
                  + "\":[]},\"timeout\":5000}");
      assertThat(r.path("failures").size()).as(r.toString()).isEqualTo(4);
      r.path("failures")
          .forEach(
              f -> {
                assertThat(f.path("status").asInt()).isEqualTo(403);
                assertThat(f.path("message").asText()).isEqualTo("is not at a public address");
              });
      // an inbound request naming a private origin does not make us fetch its keys either
      Raw.Answer in =
          Raw.send(
              kd.keydir.baseUrl() + "/_matrix/federation/v1/user/keys/query",
              "POST",
              "X-Matrix origin=\""
                  + literal
                  + "\",destination=\"test.keydir\",key=\"ed25519:a\",sig=\"AAAA\"",
              "{\"device_keys\":{}}",
              Duration.ofSeconds(10));
      assertThat(in.status()).isEqualTo(401);
      assertThat(inside.connections.get())
          .as("connections keydir opened to a loopback service")
          .isZero();
    }
  }

  @Test
  void one_request_asks_at_most_max_servers_per_request_servers() throws Exception {
    try (TestKeydir kd = keydir(Map.of("KEYDIR_FEDERATION_MAX_SERVERS_PER_REQUEST", "5"))) {
      TestKeydir.Device d = kd.createDevice("many", "MANY");
      StringBuilder users = new StringBuilder();
      for (int i = 0; i < 8; i++)
        users.append(i == 0 ? "" : ",").append("\"@u:10.0.0.").append(i + 1).append(":8448\":[]");
      JsonNode r = clientQuery(kd, d, "{\"device_keys\":{" + users + "}}");
      long notAsked = 0;
      for (JsonNode f : r.path("failures"))
        if (f.path("message").asText().startsWith("not asked")) notAsked++;
      assertThat(r.path("failures").size()).isEqualTo(8);
      assertThat(notAsked).isEqualTo(3);
    }
  }

  @Test
  void a_failing_destination_is_backed_off_instead_of_asked_again_at_once() throws Exception {
    try (HostilePeer down = new HostilePeer("down.test");
        TestKeydir kd =
            keydir(
                Map.of(
                    "KEYDIR_FEDERATION_SERVERS",
                    "down.test=" + down.baseUrl(),
                    "KEYDIR_FEDERATION_BACKOFF_INITIAL_MS",
                    "60000"))) {
      down.onOther(req -> req.response().setStatusCode(500).end("{}"));
      TestKeydir.Device d = kd.createDevice("bo", "BO");
      String q = "{\"device_keys\":{\"@u:down.test\":[]}}";
      assertThat(clientQuery(kd, d, q).path("failures").path("down.test").path("status").asInt())
          .isEqualTo(502);
      int asked = down.requests.get();
      JsonNode again = clientQuery(kd, d, q);
      assertThat(again.path("failures").path("down.test").path("message").asText())
          .isEqualTo("not ready for retry");
      assertThat(down.requests.get()).as("requests to a destination in backoff").isEqualTo(asked);
    }
  }

  @Test
  void a_peer_dripping_its_answer_is_cut_off_at_the_request_deadline() throws Exception {
    try (HostilePeer drip = new HostilePeer("drip.test");
        TestKeydir kd =
            keydir(Map.of("KEYDIR_FEDERATION_SERVERS", "drip.test=" + drip.baseUrl()))) {
      drip.onOther(req -> dripForever(drip, req));
      TestKeydir.Device d = kd.createDevice("dr", "DR");
      long t0 = System.nanoTime();
      JsonNode r = clientQuery(kd, d, "{\"device_keys\":{\"@u:drip.test\":[]},\"timeout\":2000}");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.path("failures").path("drip.test").path("status").asInt()).isEqualTo(504);
      assertThat(ms).as("answer time with timeout 2000 against a drip, ms").isLessThan(4_000);
    }
  }

  private static void dripForever(HostilePeer peer, HttpServerRequest req) {
    var resp = req.response().setChunked(true).putHeader("Content-Type", "application/json");
    resp.write("{");
    peer.vertx.setPeriodic(
        300,
        id -> {
          if (resp.closed()) {
            peer.vertx.cancelTimer(id);
          } else {
            resp.write(" ");
          }
        });
  }

  @Test
  void made_up_origins_leave_bounded_state_and_no_meters_of_their_own() throws Exception {
    try (TestKeydir kd = keydir(Map.of("KEYDIR_FEDERATION_MAX_CACHED_SERVERS", "50"))) {
      int linesAfterFew = 0;
      for (int i = 0; i < 1_500; i++) {
        String origin = "10." + (i / 250) + "." + (i % 250) + ".7:8448";
        Raw.Answer a =
            Raw.send(
                kd.keydir.baseUrl() + "/_matrix/federation/v1/user/keys/query",
                "POST",
                "X-Matrix origin=\""
                    + origin
                    + "\",destination=\"test.keydir\",key=\"ed25519:k"
                    + i
                    + "\",sig=\"AAAA\"",
                "{\"device_keys\":{}}",
                Duration.ofSeconds(10));
        assertThat(a.status()).isEqualTo(401);
        if (i == 199) {
          metricsLines(kd); // the first scrapes add /metrics' own series
          linesAfterFew = metricsLines(kd);
        }
      }
      String metrics = Raw.get(kd.keydir.baseUrl() + "/metrics").body();
      for (String gauge :
          new String[] {
            "keydir_federation_resolved_servers",
            "keydir_federation_peer_key_sets",
            "keydir_federation_recent_key_requests",
            "keydir_federation_backoffs"
          }) {
        assertThat(gaugeValue(metrics, gauge)).as(gauge).isLessThanOrEqualTo(4 * 50 + 10);
      }
      assertThat(metricsLines(kd))
          .as("metrics series after 1,500 origins vs after 200")
          .isEqualTo(linesAfterFew);
      assertThat(metrics).doesNotContain("10.5.");
    }
  }

  @Test
  void made_up_http_methods_share_one_metrics_label() throws Exception {
    try (TestKeydir kd = keydir(Map.of())) {
      for (int i = 0; i < 50; i++) {
        Raw.send(kd.keydir.baseUrl() + "/health", "M" + i + "X", null, null, Duration.ofSeconds(5));
      }
      String metrics = Raw.get(kd.keydir.baseUrl() + "/metrics").body();
      assertThat(metrics).doesNotContain("M17X").contains("method=\"OTHER\"");
    }
  }

  /**
   * Series a request can add; the JVM's own (a GC cause seen for the first time, a new memory pool)
   * are not.
   */
  static int metricsLines(TestKeydir kd) throws Exception {
    return (int)
        Raw.get(kd.keydir.baseUrl() + "/metrics")
            .body()
            .lines()
            .filter(
                l ->
                    !l.startsWith("#")
                        && !l.startsWith("jvm_")
                        && !l.startsWith("process_")
                        && !l.startsWith("system_"))
            .map(l -> l.substring(0, Math.max(0, l.lastIndexOf(' '))))
            .distinct()
            .count();
  }

  static double gaugeValue(String metrics, String name) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no gauge " + name));
  }
}
