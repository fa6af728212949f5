package org.keydir.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.store.PeerKeyStore;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Found by FederationTest in a loaded CI run ("b.test answered 401"): on first contact, many
 * requests from one peer arrive together. Each reads the peer's keys from the database; one fetches
 * them from the peer. A request whose database read (empty) finished after that fetch had completed
 * found no fetch in flight and a fresh response already held, took the refetch rate limit for "a
 * key we do not know" and answered 401 — for the peer's real, published key.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PeerKeysFirstContactTest {
  @Test
  void many_concurrent_first_requests_of_a_peer_all_accept_its_published_key() throws Exception {
    Map<String, String> env = Map.of("KEYDIR_SERVER_NAME", "peer.test");
    String localDb = TestDatabase.fresh();
    try (TestKeydir peer = TestKeydir.start(TestDatabase.fresh(), env);
        TestKeydir local = TestKeydir.start(localDb)) {
      String keyId =
          new ObjectMapper()
              .readTree(peer.http.get("/_matrix/key/v2/server", null).text())
              .get("verify_keys")
              .fieldNames()
              .next();
      Vertx vertx = Vertx.vertx();
      try {
        OutboundHttp web = new OutboundHttp(vertx, true, 1000);
        ServerResolver resolver =
            new ServerResolver(Map.of("peer.test", peer.keydir.baseUrl()), web, 100);
        FederationClient client =
            new FederationClient(
                web, resolver, null, new Backoff(Clock.systemUTC(), 0, 0, 100), 10_000, 1 << 20);
        var pool = local.keydir.database().pool();
        int failed = 0;
        List<String> reasons = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
          TestDatabase.execute(localDb, "DELETE FROM peer_signing_keys");
          PeerKeys keys =
              new PeerKeys(vertx, pool, new PeerKeyStore(), client, Clock.systemUTC(), 60_000, 100);
          List<Future<byte[]>> all = new ArrayList<>();
          for (int i = 0; i < 64; i++) all.add(keys.verifyKey("peer.test", keyId));
          for (Future<byte[]> f : all) {
            try {
              f.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
              failed++;
              if (reasons.size() < 3) reasons.add(e.getMessage());
            }
          }
        }
        assertThat(failed).as("lookups of a published key that failed: %s", reasons).isZero();

        // the key is decoded and order-checked once, then held (not per request)
        PeerKeys keys =
            new PeerKeys(vertx, pool, new PeerKeyStore(), client, Clock.systemUTC(), 60_000, 100);
        var first = keys.verifyingKey("peer.test", keyId).await(30, TimeUnit.SECONDS);
        var again = keys.verifyingKey("peer.test", keyId).await(30, TimeUnit.SECONDS);
        assertThat(again).isSameAs(first);
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
