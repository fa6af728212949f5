package org.keydir.chaos;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The run's summary, as printed at the end. */
final class Summary {
  private Summary() {}

  static void print(ChaosReport r, PrintStream out) {
    ChaosOptions o = r.options();
    out.println();
    out.println("=== keydir chaos run " + r.runId() + " ===");
    out.printf(
        "config: %d instances, %d clients, %d devices, faults %s, database %s, seed %d%n",
        o.instances(),
        o.clients(),
        o.devices(),
        o.faults() ? "on" : "off",
        o.databaseUrl() == null ? "embedded (restartable)" : "external",
        o.seed());
    out.printf(
        "requests: %,d in %.1f s = %.0f requests/s (%d checkpoints included)%n",
        r.requests(),
        r.durationMs() / 1000.0,
        r.requests() * 1000.0 / Math.max(1, r.durationMs()),
        r.checkpoints());
    out.printf(
        "%-16s %9s %9s %7s %6s %6s %7s %6s %9s %9s %9s%n",
        "op",
        "requests",
        "200",
        "4xx",
        "503",
        "5xx",
        "no-ans",
        "n-dlv",
        "p50 ms",
        "p99 ms",
        "max ms");
    for (Map.Entry<String, Journal.OpStats> e : r.ops().entrySet()) {
      Journal.OpStats s = e.getValue();
      out.printf(
          "%-16s %,9d %,9d %,7d %,6d %,6d %,7d %,6d %9.1f %9.1f %9.1f%n",
          e.getKey(),
          s.total(),
          s.outcomes.get(Outcome.OK).get(),
          s.outcomes.get(Outcome.REJECTED).get(),
          s.outcomes.get(Outcome.UNAVAILABLE).get(),
          s.outcomes.get(Outcome.SERVER_ERROR).get(),
          s.outcomes.get(Outcome.NO_ANSWER).get(),
          s.outcomes.get(Outcome.NOT_DELIVERED).get(),
          s.latencies.percentileMs(0.50),
          s.latencies.percentileMs(0.99),
          s.latencies.percentileMs(1.0));
    }
    out.printf("unknown outcomes (no answer, 503, other 5xx): %,d%n", r.unknownOutcomes());
    printFaults(r, out);
    EndChecks.Tally t = r.tally();
    out.printf(
        "keys: %,d one-time keys sent (%,d answered 200, %,d only unknown outcome, %,d never committed)%n",
        t.keysSent, t.keysOk, t.keysUnknownOnly, t.absentNeverCommitted);
    out.printf(
        "      %,d handed out (each once), %,d tombstones (%,d unseen, covered by %,d claims with unknown outcome)%n",
        t.handedOut, t.tombstones, t.unseenTombstones, t.claimsWithUnknownOutcome);
    out.printf(
        "      %,d deleted by %,d resets (audit), %,d still stored; %,d fallback hand-outs%n",
        t.deletedByResets, t.auditResetRows, t.stored, t.fallbackHandOuts);
    out.printf(
        "keydir logged %d request failures as unhandled where the client had gone away (not answered, not counted)%n",
        r.unansweredServerFailures());
    out.printf(
        "violations: %d (%d of them known bugs)%n",
        r.violationCount(), r.violationCount() - r.unknownViolationCount());
    r.violations()
        .byKind()
        .forEach(
            (kind, n) -> {
              out.printf("  %,d × %s%n", n, kind);
              r.violations().examples().get(kind).forEach(ex -> out.println("      " + ex));
            });
  }

  private static void printFaults(ChaosReport r, PrintStream out) {
    List<Journal.Fault> faults = r.faults();
    out.printf(
        "faults: %d kill -9, %d postgres restarts, %d connection cuts, %,d random mid-request drops%n",
        r.faultsOfKind("kill -9"),
        r.faultsOfKind("postgres restart"),
        r.faultsOfKind("cut connections"),
        r.faultsOfKind("drop"));
    for (Journal.Fault f : faults) {
      if (f.kind().equals("drop")) continue;
      out.printf(
          "  %s  %-16s %-10s %s%n",
          Instant.ofEpochMilli(f.startMs()), f.kind(), f.target(), f.detail());
    }
    for (Outages.Window w : r.outages()) {
      out.printf(
          "  database down %s .. %s (%d ms)%n",
          Instant.ofEpochMilli(w.fromMs()), Instant.ofEpochMilli(w.toMs()), w.toMs() - w.fromMs());
    }
  }
}
