package org.keydir.federation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Per-destination backoff (synapse's {@code retryutils}): after a destination fails (unreachable,
 * timed out, 5xx), calls to it fail at once until {@link #delayMs} has passed, doubling with each
 * further failure up to the maximum; one success clears it. Bounded: at most {@code maxEntries}
 * destinations are remembered, each for at most the maximum delay.
 */
public final class Backoff {
  private record State(int failures, long retryAtMs) {}

  private final Cache<String, State> states;
  private final Clock clock;
  private final long initialMs;
  private final long maxMs;

  public Backoff(Clock clock, long initialMs, long maxMs, int maxEntries) {
    this.clock = clock;
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.states =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .expireAfterWrite(Duration.ofMillis(Math.max(1, maxMs)))
            .build();
  }

  /** The wait after the {@code failures}-th failure in a row. Pure. */
  public static long delayMs(int failures, long initialMs, long maxMs) {
    if (failures <= 0 || initialMs <= 0) return 0;
    int doublings = Math.min(failures - 1, 40);
    return Math.min(
        maxMs, initialMs << Math.min(doublings, Long.numberOfLeadingZeros(initialMs) - 1));
  }

  public boolean mayCall(String destination) {
    State s = states.getIfPresent(destination);
    return s == null || clock.millis() >= s.retryAtMs();
  }

  public void failed(String destination) {
    states
        .asMap()
        .compute(
            destination,
            (d, s) -> {
              int n = s == null ? 1 : s.failures() + 1;
              return new State(n, clock.millis() + delayMs(n, initialMs, maxMs));
            });
  }

  public void succeeded(String destination) {
    states.invalidate(destination);
  }

  public long size() {
    return states.estimatedSize();
  }
}
