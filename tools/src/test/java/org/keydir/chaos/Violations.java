package org.keydir.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** Every broken rule the harness sees: counted by kind, the first few of each kept with details. */
final class Violations {
  private static final int KEEP_PER_KIND = 20;
  private final Map<String, AtomicLong> counts = new TreeMap<>();
  private final Map<String, List<String>> examples = new TreeMap<>();

  synchronized void add(String kind, String detail) {
    counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    List<String> kept = examples.computeIfAbsent(kind, k -> new ArrayList<>());
    if (kept.size() < KEEP_PER_KIND) kept.add(detail);
  }

  synchronized long total() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  synchronized Map<String, Long> byKind() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  synchronized Map<String, List<String>> examples() {
    Map<String, List<String>> out = new TreeMap<>();
    examples.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return out;
  }
}
