package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.keydir.crypto.UnpaddedBase64;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("A peer's key responses cannot exhaust keydir or stall it")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PeerKeyBoundsTest {
  static final String QUERY = "/_matrix/federation/v1/user/keys/query";
  static final String BODY = "{\"device_keys\":{}}";

  static TestKeydir keydirFor(HostilePeer... peers) {
    StringBuilder servers = new StringBuilder();
    for (HostilePeer p : peers)
      servers
          .append(servers.length() == 0 ? "" : ",")
          .append(p.serverName)
          .append('=')
          .append(p.baseUrl());
    Map<String, String> env =
        new HashMap<>(Map.of("KEYDIR_FEDERATION_SERVERS", servers.toString()));
    return TestKeydir.start(TestDatabase.fresh(), env);
  }

  static Raw.Answer signedQuery(TestKeydir kd, HostilePeer from, String keyId) throws Exception {
    return Raw.send(
        kd.keydir.baseUrl() + QUERY,
        "POST",
        from.authorization(
            keyId, "POST", QUERY, TestKeydir.SERVER_NAME, CanonicalJson.parse(BODY.getBytes())),
        BODY,
        Duration.ofSeconds(30));
  }

  @Test
  void
      a_response_with_thousands_of_valid_keys_is_refused_at_once_and_the_event_loops_keep_answering()
          throws Exception {
    try (HostilePeer peer = new HostilePeer("many.test");
        TestKeydir kd = keydirFor(peer)) {
      ObjectNode body =
          JsonNodeFactory.instance
              .objectNode()
              .put("server_name", peer.serverName)
              .put("valid_until_ts", System.currentTimeMillis() + 3_600_000);
      ObjectNode verify = body.putObject("verify_keys");
      Map<String, Ed25519.KeyPair> many = new HashMap<>(peer.keys);
      for (int i = 0; i < 4_000; i++)
        many.put("ed25519:k" + i, Ed25519.generate(new SecureRandom()));
      many.forEach((id, kp) -> verify.putObject(id).put("key", kp.publicKeyBase64()));
      byte[] signed =
          JsonSigning.signingBytes(body); // every signature valid: checking them all is the cost
      ObjectNode sigs = body.putObject("signatures").putObject(peer.serverName);
      many.forEach(
          (id, kp) -> sigs.put(id, UnpaddedBase64.encode(Ed25519.sign(kp.seed(), signed))));
      String response = CanonicalJson.encode(body);
      peer.onKeys(req -> peer.send(req, response));

      CompletableFuture<Raw.Answer> attack =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return signedQuery(kd, peer, "ed25519:first");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long worstHealthMs = 0;
      while (!attack.isDone()) {
        worstHealthMs = Math.max(worstHealthMs, Raw.get(kd.keydir.baseUrl() + "/health").millis());
      }
      Raw.Answer a = attack.get();
      assertThat(a.status()).as(a.body()).isEqualTo(401);
      assertThat(a.millis()).as("refusal time, ms").isLessThan(3_000);
      assertThat(worstHealthMs).as("slowest /health during the check, ms").isLessThan(1_000);
    }
  }

  @Test
  void an_endless_key_response_is_cut_off_at_the_cap_while_it_streams() throws Exception {
    try (HostilePeer peer = new HostilePeer("endless.test");
        TestKeydir kd = keydirFor(peer)) {
      Buffer chunk = Buffer.buffer("x".repeat(64 * 1024));
      peer.onKeys(req -> peer.stream(req, chunk, 64L * 1024 * 1024));
      Raw.Answer a = signedQuery(kd, peer, "ed25519:first");
      assertThat(a.status()).as(a.body()).isEqualTo(401);
      assertThat(peer.bytesSent.get())
          .as("bytes the peer got to send before keydir hung up")
          .isLessThan(16L * 1024 * 1024);
    }
  }

  @Test
  void a_peer_that_just_rotated_is_accepted_at_once_and_a_flood_of_made_up_key_ids_costs_one_fetch()
      throws Exception {
    try (HostilePeer peer = new HostilePeer("rotating.test");
        TestKeydir kd = keydirFor(peer)) {
      assertThat(signedQuery(kd, peer, "ed25519:first").status()).isEqualTo(200);
      peer.addKey("ed25519:second");
      Raw.Answer rotated = signedQuery(kd, peer, "ed25519:second");
      assertThat(rotated.status())
          .as("signed by the peer's new key right after it rotated: " + rotated.body())
          .isEqualTo(200);
      int before = peer.keyFetches.get();
      for (int i = 0; i < 20; i++)
        assertThat(signedQuery(kd, peer, "ed25519:madeup").status()).isEqualTo(401);
      assertThat(peer.keyFetches.get() - before)
          .as("fetches for one unknown key id asked 20 times")
          .isEqualTo(1);
    }
  }

  @Test
  void a_peer_whose_keys_expired_is_asked_again_at_most_once_per_interval() throws Exception {
    try (HostilePeer peer = new HostilePeer("stale.test");
        TestKeydir kd = keydirFor(peer)) {
      peer.validForMs = -1_000; // publishes keys that are already past valid_until_ts
      for (int i = 0; i < 20; i++)
        assertThat(signedQuery(kd, peer, "ed25519:first").status()).isEqualTo(401);
      assertThat(peer.keyFetches.get())
          .as("fetches of an expired response, 20 requests")
          .isEqualTo(1);
    }
  }

  @Test
  void a_federation_body_without_a_canonical_form_is_refused_at_once_before_any_key_lookup()
      throws Exception {
    try (HostilePeer peer = new HostilePeer("silent.test");
        TestKeydir kd = keydirFor(peer)) {
      peer.onKeys(req -> {}); // never answers: a lookup would wait for the whole timeout
      for (String body :
          new String[] {
            "{\"device_keys\":{},\"x\":1.5}",
            "{\"device_keys\":{},\"x\":9007199254740993}",
            "{\"device_keys\":{},\"x\":\"\\ud800\"}"
          }) {
        Raw.Answer a =
            Raw.send(
                kd.keydir.baseUrl() + QUERY,
                "POST",
                "X-Matrix origin=\"silent.test\",destination=\"test.keydir\",key=\"ed25519:first\",sig=\"AAAA\"",
                body,
                Duration.ofSeconds(10));
        assertThat(a.status()).as(body + " → " + a.body()).isBetween(400, 401);
        assertThat(a.body()).contains("errcode");
        assertThat(a.millis()).as(body).isLessThan(2_000);
      }
      assertThat(peer.keyFetches.get()).isZero();
    }
  }

  @Test
  void a_peer_replaying_one_signed_request_is_rate_limited_per_origin() throws Exception {
    try (HostilePeer peer = new HostilePeer("replay.test");
        TestKeydir kd =
            TestKeydir.start(
                TestDatabase.fresh(),
                Map.of(
                    "KEYDIR_FEDERATION_SERVERS",
                    "replay.test=" + peer.baseUrl(),
                    "KEYDIR_RATE_LIMIT_ENABLED",
                    "true",
                    "KEYDIR_RATE_LIMIT_FEDERATION_BURST",
                    "10",
                    "KEYDIR_RATE_LIMIT_FEDERATION_REQUESTS_PER_SECOND",
                    "1"))) {
      String auth =
          peer.authorization(
              "ed25519:first",
              "POST",
              QUERY,
              TestKeydir.SERVER_NAME,
              CanonicalJson.parse(BODY.getBytes()));
      int ok = 0;
      int limited = 0;
      for (int i = 0; i < 40; i++) {
        Raw.Answer a =
            Raw.send(kd.keydir.baseUrl() + QUERY, "POST", auth, BODY, Duration.ofSeconds(10));
        if (a.status() == 200) ok++;
        if (a.status() == 429) limited++;
      }
      assertThat(ok).as("answered of 40 replays, burst 10").isBetween(10, 13);
      assertThat(limited).isEqualTo(40 - ok);
    }
  }

  @Test
  void a_request_claiming_to_come_from_our_own_server_name_is_refused_without_a_lookup()
      throws Exception {
    try (HostilePeer us = new HostilePeer(TestKeydir.SERVER_NAME);
        TestKeydir kd = keydirFor(us)) {
      Raw.Answer a = signedQuery(kd, us, "ed25519:first");
      assertThat(a.status()).isEqualTo(401);
      assertThat(us.requests.get()).isZero();
    }
  }
}
