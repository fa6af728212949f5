package org.keydir.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Two keydir instances on one database rotate their signing keys fast while sending federation
 * requests; a strict peer that caches their published keys until valid_until_ts verifies every one.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RotationDuringFederationTest {
  /**
   * A slow peer holds keydir's few connections to it, so requests wait in keydir's connection pool,
   * for seconds, across rotations. Each must be signed when it leaves, with the key active then:
   * signed when queued, it would arrive carrying a key the peer's fresh copy no longer lists (the
   * rare burst of 401s FederationTest saw on loaded machines).
   */
  @Test
  void requests_waiting_for_a_connection_across_rotations_are_signed_when_they_leave()
      throws Exception {
    List<String> urls = new ArrayList<>();
    Map<String, String> env = new HashMap<>(TestKeydir.FAST_ROTATION);
    try (FakePeer peer = new FakePeer("slow.test", urls)) {
      peer.answerDelayMs = 800;
      env.put("KEYDIR_FEDERATION_SERVERS", "slow.test=http://127.0.0.1:" + peer.port());
      try (TestKeydir a = TestKeydir.start(TestDatabase.fresh(), env)) {
        urls.add(a.keydir.baseUrl());
        TestKeydir.Device d = a.createDevice("q", null);
        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<?>> work = new ArrayList<>();
        long end = System.currentTimeMillis() + 6_000;
        for (int t = 0; t < 24; t++) {
          work.add(
              pool.submit(
                  () -> {
                    while (System.currentTimeMillis() < end) {
                      a.http.post(
                          "/_matrix/client/v3/keys/query",
                          d.token(),
                          "{\"device_keys\":{\"@x:slow.test\":[]},\"timeout\":9000}");
                    }
                    return null;
                  }));
        }
        for (Future<?> f : work) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(peer.failures).isEmpty();
        assertThat(peer.verified.get()).as("requests that reached the peer").isGreaterThan(20);
        assertThat(peer.signingKeysSeen.keySet())
            .as("rotations happened meanwhile")
            .hasSizeGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  void
      a_peer_caching_published_keys_verifies_every_request_from_either_instance_across_rotations_and_revoke_propagates()
          throws Exception {
    String db = TestDatabase.fresh();
    List<String> urls = new ArrayList<>();
    Map<String, String> env = new HashMap<>(TestKeydir.FAST_ROTATION);
    try (FakePeer peer = new FakePeer("peer.test", urls)) {
      env.put("KEYDIR_FEDERATION_SERVERS", "peer.test=http://127.0.0.1:" + peer.port());
      try (TestKeydir a = TestKeydir.start(db, env);
          TestKeydir b = TestKeydir.start(db, env)) {
        urls.add(a.keydir.baseUrl());
        urls.add(b.keydir.baseUrl());
        TestKeydir.Device onA = a.createDevice("fa", null);
        TestKeydir.Device onB = b.createDevice("fb", null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<String>>> work = new ArrayList<>();
        long end = System.currentTimeMillis() + 7_000;
        for (int t = 0; t < 4; t++) {
          TestKeydir kd = t % 2 == 0 ? a : b;
          TestKeydir.Device d = t % 2 == 0 ? onA : onB;
          work.add(
              pool.submit(
                  () -> {
                    List<String> problems = new ArrayList<>();
                    while (System.currentTimeMillis() < end) {
                      Http.Response r =
                          kd.http.post(
                              "/_matrix/client/v3/keys/query",
                              d.token(),
                              "{\"device_keys\":{\"@x:peer.test\":[]},\"timeout\":5000}");
                      JsonNode failures = r.json().path("failures");
                      if (r.status() != 200 || failures.size() > 0) problems.add(r.toString());
                      Thread.sleep(10);
                    }
                    return problems;
                  }));
        }
        for (Future<List<String>> f : work) assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
        pool.shutdown();
        assertThat(peer.failures).isEmpty();
        assertThat(peer.verified.get()).isGreaterThan(100);
        assertThat(peer.signingKeysSeen.keySet())
            .as("keys that signed: rotations happened")
            .hasSizeGreaterThanOrEqualTo(3);

        // Revocation reaches the other instance within one refresh interval (250 ms; checked after
        // 750 ms).
        String active =
            a.http
                .get("/_matrix/key/v2/server", null)
                .json()
                .get("verify_keys")
                .fieldNames()
                .next();
        JsonNode keys =
            a.http
                .get("/_keydir/admin/v1/server_keys", TestKeydir.ADMIN_TOKEN)
                .json()
                .get("server_keys");
        for (JsonNode k : keys)
          if (k.get("state").asText().equals("active")) active = k.get("key_id").asText();
        assertThat(
                a.http
                    .post(
                        "/_keydir/admin/v1/server_keys/" + active + "/revoke",
                        TestKeydir.ADMIN_TOKEN,
                        "{}")
                    .status())
            .isEqualTo(200);
        long t0 = System.nanoTime();
        JsonNode onBNow;
        do { // polled, with the deadline the claim makes: gone from the other instance within 750
          // ms
          onBNow = b.http.get("/_matrix/key/v2/server", null).json();
          if (!onBNow.get("verify_keys").has(active) && !onBNow.get("old_verify_keys").has(active))
            break;
          Thread.sleep(20);
        } while (System.nanoTime() - t0 < 750_000_000L);
        assertThat(onBNow.get("verify_keys").has(active)).isFalse();
        assertThat(onBNow.get("old_verify_keys").has(active)).isFalse();
      }
    }
  }
}
