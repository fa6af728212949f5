package org.keydir.bench;

import java.util.Locale;

/** The console table: one line per phase and concurrency level. */
final class ResultTable {
  static final String HEADER =
      String.format(
          Locale.ROOT,
          "%-10s %5s %9s %10s %8s %8s %8s %8s %7s %6s %9s",
          "phase",
          "conc",
          "req/s",
          "keys/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "errors",
          "empty",
          "cpu ms/r");

  private ResultTable() {}

  static String line(LevelResult r) {
    double cpu = r.serverCpuMsPerRequest();
    return String.format(
        Locale.ROOT,
        "%-10s %5d %9.1f %10.1f %8.2f %8.2f %8.2f %8.2f %7d %6d %9s%s",
        r.phase(),
        r.concurrency(),
        r.requestsPerSecond(),
        r.keysPerSecond(),
        r.latency().p50(),
        r.latency().p90(),
        r.latency().p99(),
        r.latency().max(),
        r.errors(),
        r.emptyClaims(),
        Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.3f", cpu),
        r.stockRanOut() ? "  (keys ran out; ended early)" : "");
  }
}
