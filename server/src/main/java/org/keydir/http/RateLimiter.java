package org.keydir.http;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.keydir.auth.Caller;
import org.keydir.config.KeydirConfig;
import org.keydir.keys.KeydirException;

/**
 * Per-device rate limit for client endpoints (Bucket4j token buckets, in memory, per process). Runs
 * after authentication; over the limit → 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms}.
 * Idle buckets (full again) are dropped by {@link #evictIdle()} so memory follows active devices.
 */
public final class RateLimiter implements Handler<RoutingContext> {
  private final KeydirConfig.RateLimit cfg;
  private final ConcurrentHashMap<Caller, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(KeydirConfig.RateLimit cfg) {
    this.cfg = cfg;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    if (!cfg.enabled() || caller == null) {
      ctx.next();
      return;
    }
    admit(ctx, buckets.computeIfAbsent(caller, c -> newBucket()));
  }

  /**
   * One token from {@code bucket}: on to the next handler, or 429 with the wait until the next
   * token.
   */
  static void admit(RoutingContext ctx, Bucket bucket) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      ctx.next();
    } else {
      ctx.fail(
          KeydirException.rateLimited(Math.max(1, probe.getNanosToWaitForRefill() / 1_000_000)));
    }
  }

  /** Called periodically: a bucket that refilled to capacity holds no state worth keeping. */
  public void evictIdle() {
    buckets.entrySet().removeIf(e -> e.getValue().getAvailableTokens() >= cfg.burst());
  }

  int trackedDevices() {
    return buckets.size();
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(cfg.burst())
                .refillGreedy(cfg.requestsPerSecond(), Duration.ofSeconds(1))
                .build())
        .build();
  }
}
