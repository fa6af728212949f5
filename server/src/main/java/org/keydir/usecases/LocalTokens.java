package org.keydir.usecases;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.Caller;

/**
 * keydir's own access tokens (auth.mode local): a token's device, found by the token's hash, and
 * kept per replica for {@code auth.cache_ttl} (bounded by {@code auth.max_cached_tokens}) so a
 * request costs no token lookup. A deleted device's tokens stop working at once on the replica that
 * deleted it and, through {@code TokenInvalidations} (LISTEN), within moments on every other; a
 * replica whose listener (re)connects forgets every token, as it may have missed a notice. Only
 * valid tokens are kept: an unknown token is looked up each time.
 */
public final class LocalTokens {
  private final Function<byte[], Future<Optional<Caller>>> lookup;
  private final Cache<String, Caller> cache;
  // bumped by every invalidation: a lookup that started before one does not fill the cache, or a
  // device deleted while its token was being looked up would stay valid here until the TTL
  private final AtomicLong generation = new AtomicLong();

  public LocalTokens(
      Function<byte[], Future<Optional<Caller>>> lookup, long ttlMs, int maxCachedTokens) {
    this.lookup = lookup;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxCachedTokens)
            .expireAfterWrite(Duration.ofMillis(ttlMs))
            .build();
  }

  public Future<Optional<Caller>> callerOf(String token) {
    byte[] hash = AccessTokens.hash(token);
    String key = HexFormat.of().formatHex(hash);
    Caller cached = cache.getIfPresent(key);
    if (cached != null) return Future.succeededFuture(Optional.of(cached));
    long seen = generation.get();
    return lookup
        .apply(hash)
        .onSuccess(
            found ->
                found.ifPresent(
                    caller -> {
                      if (generation.get() == seen) cache.put(key, caller);
                    }));
  }

  /** The device's tokens were deleted (here or on another replica). */
  public void invalidateDevice(String userId, String deviceId) {
    generation.incrementAndGet();
    cache
        .asMap()
        .values()
        .removeIf(c -> c.userId().equals(userId) && c.deviceId().equals(deviceId));
  }

  /** Forget everything (the invalidation listener (re)connected: it may have missed notices). */
  public void invalidateAll() {
    generation.incrementAndGet();
    cache.invalidateAll();
  }

  long cachedTokens() {
    return cache.estimatedSize();
  }
}
