package org.keydir.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What happened while one phase ran at one concurrency level: latencies (HDR histogram, µs) and
 * counts per operation, errors by status, and what the verifiers found. Thread-safe.
 */
final class LevelStats {
  /** Latencies above a minute are recorded as a minute. */
  static final long MAX_MICROS = 60_000_000L;

  /** Problems the verifiers report; each is an error, counted apart from HTTP statuses. */
  static final String DUPLICATE_KEY = "duplicate_key";

  static final String UNKNOWN_KEY = "unknown_key";
  static final String WRONG_CONTENT = "wrong_key_content";
  static final String MISSING_DEVICE = "missing_device_keys";
  static final String COUNT_MISMATCH = "key_count_mismatch";
  static final String BAD_BODY = "unparsable_body";

  final class Op {
    final Histogram latency = new ConcurrentHistogram(1, MAX_MICROS, 3);
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder keys = new LongAdder();
  }

  final String phase;
  final int concurrency;
  private final Map<String, Op> ops = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorsByStatus = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> verificationErrors = new ConcurrentHashMap<>();
  private final LongAdder emptyClaims = new LongAdder();
  private final LongAdder fallbackClaims = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private volatile long startNanos;
  private volatile long endNanos;
  private volatile boolean stockRanOut;

  LevelStats(String phase, int concurrency) {
    this.phase = phase;
    this.concurrency = concurrency;
  }

  void start() {
    startNanos = System.nanoTime();
  }

  void end() {
    endNanos = System.nanoTime();
  }

  /** One answered (or failed) request. */
  void record(String op, long latencyNanos, BenchHttp.Reply reply) {
    Op o = op(op);
    o.latency.recordValue(Math.max(1, Math.min(MAX_MICROS, latencyNanos / 1000)));
    o.requests.increment();
    completed.increment();
    if (reply.ok()) o.ok.increment();
    else errorsByStatus.computeIfAbsent(reply.statusLabel(), s -> new LongAdder()).increment();
  }

  void keys(String op, int n) {
    op(op).keys.add(n);
  }

  void verificationError(String kind) {
    verificationErrors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /**
   * A claim gave no one-time key for a device that still had one (nothing, or the fallback key).
   */
  void emptyClaim(boolean gotFallback) {
    emptyClaims.increment();
    if (gotFallback) fallbackClaims.increment();
  }

  void stockRanOut() {
    stockRanOut = true;
  }

  long completed() {
    return completed.sum();
  }

  double elapsedSeconds() {
    long end = endNanos != 0 ? endNanos : System.nanoTime();
    return startNanos == 0 ? 0 : (end - startNanos) / 1e9;
  }

  boolean ranOutOfStock() {
    return stockRanOut;
  }

  Map<String, Op> ops() {
    return new TreeMap<>(ops);
  }

  long errors() {
    return sum(errorsByStatus) + sum(verificationErrors);
  }

  Map<String, Long> errorsByStatus() {
    return snapshot(errorsByStatus);
  }

  Map<String, Long> verificationErrors() {
    return snapshot(verificationErrors);
  }

  long emptyClaims() {
    return emptyClaims.sum();
  }

  long fallbackClaims() {
    return fallbackClaims.sum();
  }

  private Op op(String name) {
    return ops.computeIfAbsent(name, n -> new Op());
  }

  private static long sum(Map<String, LongAdder> m) {
    return m.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
