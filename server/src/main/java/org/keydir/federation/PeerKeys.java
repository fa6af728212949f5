package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keydir.crypto.CanonicalJsonException;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.keydir.store.PeerKeyStore;
import org.keydir.store.PeerKeyStore.PeerKey;

/**
 * Federation peers' verify keys, for checking request signatures. Looked up in memory, then in
 * Postgres (shared by replicas), then fetched from the peer's {@code /_matrix/key/v2/server} and
 * checked: right server name, at most {@value #MAX_KEYS} keys, signed by every key it lists in
 * {@code verify_keys} (canonicalised once, verified on a worker thread, never on an event loop).
 * Kept until {@code valid_until_ts} (at most 7 days from the fetch, as the spec tells servers to
 * assume), never trusted after. Keys only in {@code old_verify_keys} are never accepted.
 *
 * <p>Refetching is limited <b>per key id</b>: a key id we do not hold (unknown, or expired) makes
 * us ask the peer at most once per {@code key_refetch_interval_ms}, so a peer that just rotated is
 * asked at once, while a flood of requests naming a missing or made-up key id costs at most one
 * fetch per id per interval and, within it, neither a fetch nor a database read. Both caches are
 * bounded ({@code federation.max_cached_servers}) and expire: any stranger can name an origin.
 */
public final class PeerKeys {
  static final long MAX_VALIDITY_MS = 7L * 24 * 3600 * 1000;
  static final int MAX_KEYS = 32;
  private final Vertx vertx;
  private final Pool pool;
  private final PeerKeyStore store;
  private final FederationClient client;
  private final Clock clock;
  private final Cache<String, Map<String, PeerKey>> memory;
  private final Cache<String, Boolean> askedRecently;
  private final Cache<java.nio.ByteBuffer, Ed25519.PublicKey> decoded;
  private final Map<String, Future<Map<String, PeerKey>>> inFlight = new ConcurrentHashMap<>();

  public PeerKeys(
      Vertx vertx,
      Pool pool,
      PeerKeyStore store,
      FederationClient client,
      Clock clock,
      long refetchIntervalMs,
      int maxServers) {
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
    this.client = client;
    this.clock = clock;
    this.memory =
        Caffeine.newBuilder().maximumSize(maxServers).expireAfter(new UntilValidUntil()).build();
    this.askedRecently =
        Caffeine.newBuilder()
            .maximumSize(4L * maxServers)
            .expireAfterWrite(Duration.ofMillis(Math.max(1, refetchIntervalMs)))
            .build();
    // keyed by the key itself, so a server that republishes a key id with another key gets it
    this.decoded = Caffeine.newBuilder().maximumSize(4L * maxServers).build();
  }

  /**
   * {@link #verifyKey}'s key decoded and checked once (a point of the prime-order subgroup: ≈ 67
   * µs, more than the verification itself), then held; a key that is no usable Ed25519 key fails
   * (UNAUTHORIZED).
   */
  public Future<Ed25519.PublicKey> verifyingKey(String server, String keyId) {
    return verifyKey(server, keyId)
        .map(
            raw -> {
              Ed25519.PublicKey k =
                  decoded.get(
                      java.nio.ByteBuffer.wrap(raw),
                      x -> Ed25519.PublicKey.parse(raw).orElse(null));
              if (k == null)
                throw XMatrixHeader.unauthorized(
                    "key " + keyId + " of " + server + " is not a usable ed25519 key");
              return k;
            });
  }

  /** Servers whose keys are held in memory, and (server, key id) pairs asked for recently. */
  public long cachedServers() {
    return memory.estimatedSize();
  }

  public long recentKeyRequests() {
    return askedRecently.estimatedSize();
  }

  /**
   * The raw public key of {@code server}'s {@code keyId}, valid now; else a failed Future
   * (UNAUTHORIZED).
   */
  public Future<byte[]> verifyKey(String server, String keyId) {
    PeerKey cached = valid(memory.getIfPresent(server), keyId);
    if (cached != null) return Future.succeededFuture(decode(cached));
    if (askedRecently.getIfPresent(askKey(server, keyId)) != null) {
      // asked within the interval: join that fetch if it still runs, else it has left its keys in
      // memory (a fetch is in flight before it is marked asked, and in memory before it leaves)
      Future<Map<String, PeerKey>> running = inFlight.get(server);
      if (running != null) return running.map(fresh -> require(fresh, server, keyId));
      PeerKey fetched = valid(memory.getIfPresent(server), keyId);
      return fetched != null
          ? Future.succeededFuture(decode(fetched))
          : Future.failedFuture(unknown(server, keyId));
    }
    return store
        .get(pool, server)
        .compose(
            fromDb -> {
              remember(server, fromDb);
              PeerKey k = valid(fromDb, keyId);
              if (k != null) return Future.succeededFuture(decode(k));
              Future<Map<String, PeerKey>> fetch = fetchOrJoin(server, keyId);
              return fetch == null
                  ? Future.failedFuture(unknown(server, keyId))
                  : fetch.map(fresh -> require(fresh, server, keyId));
            });
  }

  /**
   * Joins the fetch in flight for {@code server}, or starts one unless {@code keyId} was asked for
   * within the interval (then null). Synchronized so that "is one in flight / do we hold it / may
   * we ask" is one step: a fetch finishes by putting its keys in memory before it leaves {@code
   * inFlight}, so a lookup that finds no fetch in flight finds its keys in memory.
   */
  private synchronized Future<Map<String, PeerKey>> fetchOrJoin(String server, String keyId) {
    Future<Map<String, PeerKey>> running = inFlight.get(server);
    if (running != null) return running;
    Map<String, PeerKey> held = memory.getIfPresent(server);
    if (valid(held, keyId) != null) return Future.succeededFuture(held);
    if (askedRecently.getIfPresent(askKey(server, keyId)) != null) return null;
    Promise<Map<String, PeerKey>> mine = Promise.promise();
    inFlight.put(server, mine.future());
    askedRecently.put(askKey(server, keyId), Boolean.TRUE); // after inFlight: see verifyKey
    client
        .serverKeys(server)
        .compose(body -> vertx.executeBlocking(() -> checked(server, body), false))
        .compose(keys -> save(server, keys).map(keys))
        .onComplete(
            ar -> {
              if (ar.succeeded()) memory.put(server, ar.result());
              inFlight.remove(server); // after memory: see above
              mine.handle(ar);
            });
    return mine.future();
  }

  /**
   * Keeps whichever is newer, the keys in memory or a database read (which may predate a fetch).
   */
  private void remember(String server, Map<String, PeerKey> fromDb) {
    if (fromDb.isEmpty()) return;
    memory
        .asMap()
        .merge(server, fromDb, (held, read) -> validUntil(read) > validUntil(held) ? read : held);
  }

  private static long validUntil(Map<String, PeerKey> keys) {
    return keys.values().stream().mapToLong(PeerKey::validUntilTs).max().orElse(Long.MIN_VALUE);
  }

  /**
   * Spec "Publishing Keys": server_name matches, and each key in verify_keys signed the response.
   */
  private Map<String, PeerKey> checked(String server, JsonNode body) {
    if (!server.equals(body.path("server_name").asText())) {
      throw XMatrixHeader.unauthorized(server + " published keys for another server name");
    }
    JsonNode verifyKeys = body.path("verify_keys");
    if (!verifyKeys.isObject() || verifyKeys.isEmpty())
      throw XMatrixHeader.unauthorized(server + " published no verify keys");
    if (verifyKeys.size() > MAX_KEYS)
      throw XMatrixHeader.unauthorized(server + " published more than " + MAX_KEYS + " keys");
    byte[] signed;
    try {
      signed = JsonSigning.signingBytes(body);
    } catch (CanonicalJsonException e) {
      throw XMatrixHeader.unauthorized(server + "'s key response has no canonical JSON form");
    }
    long validUntil =
        Math.min(body.path("valid_until_ts").asLong(0), clock.millis() + MAX_VALIDITY_MS);
    Map<String, PeerKey> out = new HashMap<>();
    for (var e : verifyKeys.properties()) {
      String publicKey = e.getValue().path("key").asText("");
      byte[] raw;
      try {
        raw = JsonSigning.decodePublicKey(publicKey);
      } catch (IllegalArgumentException bad) {
        throw XMatrixHeader.unauthorized(server + " published a malformed key " + e.getKey());
      }
      if (!JsonSigning.verify(body, signed, server, e.getKey(), raw)) {
        throw XMatrixHeader.unauthorized(
            server + "'s key response is not signed by its key " + e.getKey());
      }
      out.put(e.getKey(), new PeerKey(publicKey, validUntil));
    }
    return Map.copyOf(out);
  }

  private Future<Void> save(String server, Map<String, PeerKey> keys) {
    List<String> ids = new ArrayList<>(keys.keySet());
    List<String> publicKeys = ids.stream().map(id -> keys.get(id).publicKey()).toList();
    long validUntil = keys.values().iterator().next().validUntilTs();
    return store.put(pool, server, ids, publicKeys, validUntil, clock.millis());
  }

  private byte[] require(Map<String, PeerKey> keys, String server, String keyId) {
    PeerKey k = valid(keys, keyId);
    if (k == null) throw unknown(server, keyId);
    return decode(k);
  }

  private PeerKey valid(Map<String, PeerKey> keys, String keyId) {
    if (keys == null) return null;
    PeerKey k = keys.get(keyId);
    return k != null && clock.millis() <= k.validUntilTs() ? k : null;
  }

  private static RuntimeException unknown(String server, String keyId) {
    return XMatrixHeader.unauthorized("unknown or expired key " + keyId + " of " + server);
  }

  private static String askKey(String server, String keyId) {
    return server + '\n' + keyId;
  }

  private static byte[] decode(PeerKey k) {
    return JsonSigning.decodePublicKey(k.publicKey());
  }

  /** Held until the response's valid_until_ts, by the wall clock at insertion. */
  private final class UntilValidUntil implements Expiry<String, Map<String, PeerKey>> {
    @Override
    public long expireAfterCreate(String server, Map<String, PeerKey> keys, long now) {
      return Math.max(0, Math.min(MAX_VALIDITY_MS, validUntil(keys) - clock.millis()) + 1)
          * 1_000_000L;
    }

    @Override
    public long expireAfterUpdate(
        String server, Map<String, PeerKey> keys, long now, long current) {
      return expireAfterCreate(server, keys, now);
    }

    @Override
    public long expireAfterRead(String server, Map<String, PeerKey> keys, long now, long current) {
      return current;
    }
  }
}
