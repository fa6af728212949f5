package org.keydir.chaos;

/** When the clients stop: after a number of requests, at a deadline, or when told. */
final class Budget {
  private final Journal journal;
  private final long maxRequests;
  private final long deadlineNanos;
  private volatile boolean stopped;

  Budget(Journal journal, long maxRequests, long durationMs) {
    this.journal = journal;
    this.maxRequests = maxRequests;
    this.deadlineNanos =
        durationMs <= 0 ? Long.MAX_VALUE : System.nanoTime() + durationMs * 1_000_000L;
  }

  boolean more() {
    return !stopped
        && journal.requests() < maxRequests
        && (deadlineNanos == Long.MAX_VALUE || System.nanoTime() - deadlineNanos < 0);
  }

  void stop() {
    stopped = true;
  }
}
