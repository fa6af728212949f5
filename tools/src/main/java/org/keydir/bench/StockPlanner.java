package org.keydir.bench;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many one-time keys each device must hold before a phase runs at a level, so that claims never
 * run a device dry by accident: the expected requests (the request limit, or the larger of a first
 * guess and twice the best rate seen so far in this phase, × the duration), plus the warm-up, times
 * the keys claimed per request, spread over the devices, with a 25% margin. Should a level still
 * run out, it ends early and is marked so (its rate is still over the time it ran).
 */
final class StockPlanner {
  private static final Map<Phase, Double> FIRST_GUESS_RPS =
      Map.of(Phase.CLAIM, 1500.0, Phase.CLAIM_BULK, 100.0, Phase.MIXED, 1500.0);
  private final Map<Phase, Double> bestRps = new EnumMap<>(Phase.class);
  private final int bulk;

  StockPlanner(int bulk) {
    this.bulk = bulk;
  }

  /** Keys claimed per request, on average. */
  double claimsPerRequest(Phase p) {
    return switch (p) {
      case CLAIM -> 1;
      case CLAIM_BULK -> bulk;
      case MIXED -> 0.5;
      case UPLOAD, QUERY -> 0;
    };
  }

  /** The stock each of {@code devices} devices should hold before the level starts. */
  long keysPerDevice(Phase p, RunLimit limit, Duration warmup, int devices) {
    double perRequest = claimsPerRequest(p);
    if (perRequest == 0) return 0;
    double rps = Math.max(FIRST_GUESS_RPS.get(p), 2 * bestRps.getOrDefault(p, 0.0));
    double requests =
        (limit.byRequests() ? limit.requests() : rps * limit.duration().toMillis() / 1000.0)
            + rps * warmup.toMillis() / 1000.0;
    return (long) Math.ceil(requests * perRequest * 1.25 / devices) + 2;
  }

  void observed(Phase p, double requestsPerSecond) {
    bestRps.merge(p, requestsPerSecond, Math::max);
  }
}
