package org.keydir.chaos;

import java.util.List;
import java.util.Map;

/** What a run did and found: everything the summary prints. */
record ChaosReport(
    ChaosOptions options,
    String runId,
    long durationMs,
    long requests,
    Map<String, Journal.OpStats> ops,
    List<Journal.Fault> faults,
    long proxyDrops,
    List<Outages.Window> outages,
    EndChecks.Tally tally,
    int checkpoints,
    int unansweredServerFailures,
    Violations violations) {
  long violationCount() {
    return violations.total();
  }

  /** Violations other than the known bugs {@link ServerErrors} names. */
  long unknownViolationCount() {
    return violations.byKind().entrySet().stream()
        .filter(e -> !e.getKey().startsWith(ServerErrors.KNOWN_BUG))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  long faultsOfKind(String kind) {
    return faults.stream().filter(f -> f.kind().equals(kind)).count();
  }

  long unknownOutcomes() {
    return ops.values().stream()
        .mapToLong(
            s ->
                s.outcomes.entrySet().stream()
                    .filter(e -> e.getKey().unknown())
                    .mapToLong(e -> e.getValue().get())
                    .sum())
        .sum();
  }
}
