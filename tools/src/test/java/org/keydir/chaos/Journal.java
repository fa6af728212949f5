package org.keydir.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Every request and its outcome, and every fault: counted per kind of request (with latencies), and
 * written one JSON object per line when a file is given. The key facts the end checks need are kept
 * condensed in the {@link DeviceLedger}s; this is the raw record. An unexpected 4xx is a violation
 * at once; every 5xx is kept for {@link ServerErrors} at the end.
 */
final class Journal implements AutoCloseable {
  /** A 503 or another 5xx, kept for the end: checked against the outages and keydir's logs. */
  record Failure(long seq, String op, int instance, Exchange ex) {}

  record Fault(String kind, String target, long startMs, long endMs, String detail) {}

  static final class OpStats {
    final Map<Outcome, AtomicLong> outcomes = new EnumMap<>(Outcome.class);
    final Latencies latencies = new Latencies();

    OpStats() {
      for (Outcome o : Outcome.values()) outcomes.put(o, new AtomicLong());
    }

    long total() {
      return outcomes.values().stream().mapToLong(AtomicLong::get).sum();
    }
  }

  private final AtomicLong seq = new AtomicLong();
  private final Map<String, OpStats> stats = new ConcurrentHashMap<>();
  private final List<Failure> failures = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private final Violations violations;
  private final BufferedWriter file;

  Journal(Violations violations, Path fileOrNull) {
    this.violations = violations;
    try {
      this.file = fileOrNull == null ? null : Files.newBufferedWriter(fileOrNull);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Journals one request; returns its sequence number. {@code details} adds op-specific fields to
   * the line.
   */
  long record(String op, int client, int instance, Exchange ex, Consumer<ObjectNode> details) {
    long s = seq.incrementAndGet();
    OpStats st = stats.computeIfAbsent(op, k -> new OpStats());
    st.outcomes.get(ex.outcome()).incrementAndGet();
    if (ex.outcome() != Outcome.NO_ANSWER && ex.outcome() != Outcome.NOT_DELIVERED)
      st.latencies.add(ex.nanos());
    switch (ex.outcome()) {
      case REJECTED -> {
        if (ex.status() != 429) {
          violations.add(
              "an unexpected 4xx (the harness sends only valid requests)",
              "#" + s + " " + op + " via instance " + instance + ": " + ex.describe());
        }
      }
      case UNAVAILABLE, SERVER_ERROR -> {
        synchronized (failures) {
          failures.add(new Failure(s, op, instance, ex));
        }
      }
      default -> {}
    }
    if (file != null) {
      ObjectNode line =
          JsonNodeFactory.instance
              .objectNode()
              .put("seq", s)
              .put("t", ex.startMs())
              .put("ms", ex.nanos() / 1e6)
              .put("client", client)
              .put("op", op)
              .put("instance", instance)
              .put("outcome", ex.outcome().name().toLowerCase());
      if (ex.status() > 0) line.put("status", ex.status());
      if (ex.error() != null) line.put("error", ex.error());
      if (details != null) details.accept(line);
      write(line);
    }
    return s;
  }

  void fault(String kind, String target, long startMs, long endMs, String detail) {
    synchronized (faults) {
      faults.add(new Fault(kind, target, startMs, endMs, detail));
    }
    if (file != null) {
      write(
          JsonNodeFactory.instance
              .objectNode()
              .put("fault", kind)
              .put("target", target)
              .put("t", startMs)
              .put("end", endMs)
              .put("detail", detail));
    }
  }

  private synchronized void write(ObjectNode line) {
    try {
      file.write(line.toString());
      file.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long requests() {
    return seq.get();
  }

  Map<String, OpStats> stats() {
    return new TreeMap<>(stats);
  }

  List<Failure> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  List<Fault> faults() {
    synchronized (faults) {
      return List.copyOf(faults);
    }
  }

  @Override
  public synchronized void close() {
    if (file == null) return;
    try {
      file.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
