package org.keydir.host;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.TokenVerdict;

/**
 * Verdicts on host tokens, keyed by the token's SHA-256 (the token itself is never kept), bounded
 * in size. A verdict is kept {@code ttlMs} (a valid one no longer than the host's own expiry), a
 * rejection {@code negativeTtlMs}. Concurrent requests with one token share one host call; a host
 * failure completes that call exceptionally and is dropped at once (Caffeine removes failed
 * futures).
 */
public final class VerdictCache {
  private final AsyncCache<String, TokenVerdict> cache;

  public VerdictCache(long ttlMs, long negativeTtlMs, int maxEntries, Clock clock, Ticker ticker) {
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .ticker(ticker)
            .expireAfter(
                new Expiry<String, TokenVerdict>() {
                  @Override
                  public long expireAfterCreate(String key, TokenVerdict v, long now) {
                    if (!v.isValid()) return negativeTtlMs * 1_000_000;
                    long untilExpiry =
                        v.expiresAtMs()
                            .map(exp -> Math.max(0, exp - clock.millis()))
                            .orElse(Long.MAX_VALUE);
                    return Math.min(ttlMs, untilExpiry) * 1_000_000;
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, TokenVerdict v, long now, long current) {
                    return expireAfterCreate(key, v, now);
                  }

                  @Override
                  public long expireAfterRead(String key, TokenVerdict v, long now, long current) {
                    return current;
                  }
                })
            .buildAsync();
  }

  public static String key(String token) {
    return HexFormat.of().formatHex(AccessTokens.hash(token));
  }

  /**
   * The cached verdict, or one load shared by every concurrent caller; completes on {@code
   * context}.
   */
  public Future<TokenVerdict> get(
      String tokenHash, Supplier<Future<TokenVerdict>> load, Context context) {
    CompletableFuture<TokenVerdict> f =
        cache.get(tokenHash, (k, executor) -> load.get().toCompletionStage().toCompletableFuture());
    return Future.fromCompletionStage(f, context);
  }

  public void invalidateToken(String tokenHash) {
    cache.synchronous().invalidate(tokenHash);
  }

  /**
   * Drops every verdict naming the device, and every verification still in flight (it may predate
   * the logout).
   */
  public void invalidateDevice(String userId, String deviceId) {
    cache
        .asMap()
        .entrySet()
        .removeIf(
            e -> {
              CompletableFuture<TokenVerdict> f = e.getValue();
              if (!f.isDone() || f.isCompletedExceptionally()) return true;
              TokenVerdict v = f.getNow(null);
              return v != null
                  && v.caller()
                      .map(c -> c.userId().equals(userId) && c.deviceId().equals(deviceId))
                      .orElse(false);
            });
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  public long size() {
    return cache.synchronous().estimatedSize();
  }
}
