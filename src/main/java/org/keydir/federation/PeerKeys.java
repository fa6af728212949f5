package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keydir.crypto.JsonSigning;
import org.keydir.store.PeerKeyStore;
import org.keydir.store.PeerKeyStore.PeerKey;

/**
 * Federation peers' verify keys, for checking request signatures. Looked up in memory, then in
 * Postgres (shared by replicas), then fetched from the peer's {@code /_matrix/key/v2/server} and
 * checked: right server name, signed by every key it lists in {@code verify_keys}. Kept until
 * {@code valid_until_ts} (at most 7 days from the fetch, as the spec tells servers to assume), never
 * trusted after. An unknown key id triggers a refetch; while the cached response is still valid,
 * at most once per {@code key_refetch_interval_ms} per peer, so a flood of made-up key ids cannot
 * make us hammer it (once it has expired, the next lookup refetches).
 * Keys only in {@code old_verify_keys} are never accepted for request signatures.
 */
public final class PeerKeys {
  static final long MAX_VALIDITY_MS = 7L * 24 * 3600 * 1000;
  private final Pool pool;
  private final PeerKeyStore store;
  private final FederationClient client;
  private final Clock clock;
  private final long refetchIntervalMs;
  private final Map<String, Map<String, PeerKey>> memory = new ConcurrentHashMap<>();
  private final Map<String, Long> lastFetch = new ConcurrentHashMap<>();
  private final Map<String, Future<Map<String, PeerKey>>> inFlight = new ConcurrentHashMap<>();

  public PeerKeys(Pool pool, PeerKeyStore store, FederationClient client, Clock clock, long refetchIntervalMs) {
    this.pool = pool;
    this.store = store;
    this.client = client;
    this.clock = clock;
    this.refetchIntervalMs = refetchIntervalMs;
  }

  /** The raw public key of {@code server}'s {@code keyId}, valid now; else a failed Future (UNAUTHORIZED). */
  public Future<byte[]> verifyKey(String server, String keyId) {
    PeerKey cached = valid(memory.get(server), keyId, clock.millis());
    if (cached != null) return Future.succeededFuture(decode(cached));
    return store.get(pool, server).compose(fromDb -> {
      remember(server, fromDb);
      PeerKey k = valid(fromDb, keyId, clock.millis());
      if (k != null) return Future.succeededFuture(decode(k));
      Future<Map<String, PeerKey>> running = inFlight.get(server);
      if (running == null) {
        // A fetch may have finished while the database read was in flight: it puts its keys in
        // memory before it leaves inFlight, so memory is checked after inFlight, never before.
        PeerKey fetched = valid(memory.get(server), keyId, clock.millis());
        if (fetched != null) return Future.succeededFuture(decode(fetched));
        Long last = lastFetch.get(server);
        if (holdsValidResponse(server) && last != null && clock.millis() - last < refetchIntervalMs) {
          return Future.failedFuture(XMatrixHeader.unauthorized("unknown or expired key " + keyId + " of " + server));
        }
        running = fetch(server);
      }
      return running.map(fresh -> {
        PeerKey f = valid(fresh, keyId, clock.millis());
        if (f == null) throw XMatrixHeader.unauthorized("unknown or expired key " + keyId + " of " + server);
        return decode(f);
      });
    });
  }

  /** Keeps whichever is newer, the keys in memory or a database read (which may predate a fetch). */
  private void remember(String server, Map<String, PeerKey> fromDb) {
    if (fromDb.isEmpty()) return;
    memory.merge(server, fromDb, (held, read) -> validUntil(read) > validUntil(held) ? read : held);
  }

  private static long validUntil(Map<String, PeerKey> keys) {
    return keys.values().stream().mapToLong(PeerKey::validUntilTs).max().orElse(Long.MIN_VALUE);
  }

  private Future<Map<String, PeerKey>> fetch(String server) {
    Promise<Map<String, PeerKey>> mine = Promise.promise();
    Future<Map<String, PeerKey>> running = inFlight.putIfAbsent(server, mine.future());
    if (running != null) return running;
    lastFetch.put(server, clock.millis());
    client.serverKeys(server)
        .map(body -> checked(server, body))
        .compose(keys -> save(server, keys).map(keys))
        .onComplete(ar -> {
          if (ar.succeeded()) memory.put(server, ar.result());
          inFlight.remove(server);   // after memory: see verifyKey
          mine.handle(ar);
        });
    return mine.future();
  }

  /** Spec "Publishing Keys": server_name matches, and each key in verify_keys signed the response. */
  private Map<String, PeerKey> checked(String server, JsonNode body) {
    if (!server.equals(body.path("server_name").asText())) {
      throw XMatrixHeader.unauthorized(server + " published keys for another server name");
    }
    long now = clock.millis();
    long validUntil = Math.min(body.path("valid_until_ts").asLong(0), now + MAX_VALIDITY_MS);
    Map<String, PeerKey> out = new ConcurrentHashMap<>();
    body.path("verify_keys").properties().forEach(e -> {
      String publicKey = e.getValue().path("key").asText("");
      byte[] raw;
      try {
        raw = JsonSigning.decodePublicKey(publicKey);
      } catch (IllegalArgumentException bad) {
        throw XMatrixHeader.unauthorized(server + " published a malformed key " + e.getKey());
      }
      if (!JsonSigning.verify(body, server, e.getKey(), raw)) {
        throw XMatrixHeader.unauthorized(server + "'s key response is not signed by its key " + e.getKey());
      }
      out.put(e.getKey(), new PeerKey(publicKey, validUntil));
    });
    if (out.isEmpty()) throw XMatrixHeader.unauthorized(server + " published no verify keys");
    return out;
  }

  private Future<Void> save(String server, Map<String, PeerKey> keys) {
    List<String> ids = new ArrayList<>(keys.keySet());
    List<String> publicKeys = ids.stream().map(id -> keys.get(id).publicKey()).toList();
    long validUntil = keys.values().iterator().next().validUntilTs();
    return store.put(pool, server, ids, publicKeys, validUntil, clock.millis());
  }

  /** A cached response still within its valid_until_ts: only then is a refetch rate-limited. */
  private boolean holdsValidResponse(String server) {
    Map<String, PeerKey> keys = memory.get(server);
    long now = clock.millis();
    return keys != null && keys.values().stream().anyMatch(k -> now <= k.validUntilTs());
  }

  private static PeerKey valid(Map<String, PeerKey> keys, String keyId, long now) {
    if (keys == null) return null;
    PeerKey k = keys.get(keyId);
    return k != null && now <= k.validUntilTs() ? k : null;
  }

  private static byte[] decode(PeerKey k) {
    return JsonSigning.decodePublicKey(k.publicKey());
  }

}
