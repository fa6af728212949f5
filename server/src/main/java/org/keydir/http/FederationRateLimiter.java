package org.keydir.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.keydir.config.KeydirConfig;
import org.keydir.federation.FederationAuth;

/**
 * Per-origin rate limit for federation endpoints (replaying one signed claim 400 times once drained
 * 400 keys). Runs after {@link FederationAuth}, so only origins whose signature verified get a
 * bucket; the buckets sit in a bounded cache that forgets idle origins.
 */
public final class FederationRateLimiter implements Handler<RoutingContext> {
  private final KeydirConfig.RateLimit cfg;
  private final Cache<String, Bucket> buckets;

  public FederationRateLimiter(KeydirConfig.RateLimit cfg, int maxOrigins) {
    this.cfg = cfg;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxOrigins)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.get(FederationAuth.ORIGIN);
    if (!cfg.enabled() || origin == null) {
      ctx.next();
      return;
    }
    RateLimiter.admit(
        ctx,
        buckets.get(
            origin,
            o ->
                Bucket.builder()
                    .addLimit(
                        Bandwidth.builder()
                            .capacity(cfg.federationBurst())
                            .refillGreedy(cfg.federationRequestsPerSecond(), Duration.ofSeconds(1))
                            .build())
                    .build()));
  }
}
