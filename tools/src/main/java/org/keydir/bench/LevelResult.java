package org.keydir.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one phase at one concurrency level, as reported and written to results.json.
 *
 * @param emptyClaims claims that returned no one-time key (nothing, or the fallback key) for a
 *     device that still had one
 * @param serverCpuMs CPU time (user + system) used by each sampled server process tree during the
 *     level
 * @param serverRssMaxMb the largest resident set seen of each sampled server process during the
 *     level
 * @param clientCpuMs CPU time the bench itself used during the level (to show it is not the
 *     bottleneck)
 */
record LevelResult(
    String phase,
    int concurrency,
    double seconds,
    long requests,
    long ok,
    long keys,
    Latency latency,
    Map<String, Long> errorsByStatus,
    Map<String, Long> verificationErrors,
    long emptyClaims,
    long fallbackClaims,
    boolean stockRanOut,
    List<OpResult> ops,
    Map<String, Double> serverCpuMs,
    Map<String, Double> serverRssMaxMb,
    double clientCpuMs) {

  /** Per operation (the mixed phase has several). */
  record OpResult(String op, long requests, long ok, long keys, Latency latency) {}

  static LevelResult of(
      LevelStats s, Map<String, Double> cpuMs, Map<String, Double> rssMaxMb, double clientCpuMs) {
    Histogram all = new Histogram(1, LevelStats.MAX_MICROS, 3);
    List<OpResult> ops = new ArrayList<>();
    long requests = 0;
    long ok = 0;
    long keys = 0;
    for (Map.Entry<String, LevelStats.Op> e : s.ops().entrySet()) {
      LevelStats.Op o = e.getValue();
      all.add(o.latency);
      ops.add(
          new OpResult(
              e.getKey(), o.requests.sum(), o.ok.sum(), o.keys.sum(), Latency.of(o.latency)));
      requests += o.requests.sum();
      ok += o.ok.sum();
      keys += o.keys.sum();
    }
    return new LevelResult(
        s.phase,
        s.concurrency,
        s.elapsedSeconds(),
        requests,
        ok,
        keys,
        Latency.of(all),
        s.errorsByStatus(),
        s.verificationErrors(),
        s.emptyClaims(),
        s.fallbackClaims(),
        s.ranOutOfStock(),
        ops,
        new LinkedHashMap<>(cpuMs),
        new LinkedHashMap<>(rssMaxMb),
        clientCpuMs);
  }

  double requestsPerSecond() {
    return seconds > 0 ? requests / seconds : 0;
  }

  double keysPerSecond() {
    return seconds > 0 ? keys / seconds : 0;
  }

  /** Error statuses plus verification errors (a key handed out twice is one). */
  long errors() {
    return errorsByStatus.values().stream().mapToLong(Long::longValue).sum()
        + verificationErrors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Server CPU (all sampled processes) per request, in ms; NaN when nothing was sampled. */
  double serverCpuMsPerRequest() {
    return serverCpuMs.isEmpty() || requests == 0
        ? Double.NaN
        : serverCpuMs.values().stream().mapToDouble(Double::doubleValue).sum() / requests;
  }

  /** Server CPU per key (claimed, uploaded or queried), in ms; NaN when nothing was sampled. */
  double serverCpuMsPerKey() {
    return serverCpuMs.isEmpty() || keys == 0
        ? Double.NaN
        : serverCpuMs.values().stream().mapToDouble(Double::doubleValue).sum() / keys;
  }
}
