package org.keydir.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of server processes on this machine, from {@code /proc} (Linux). A
 * process's CPU is that of its whole tree: itself, its live descendants (e.g. PostgreSQL backends)
 * and the children they already reaped ({@code cutime}/{@code cstime}); a process in two sampled
 * trees is counted once, under the first label.
 */
final class ServerProcesses implements AutoCloseable {
  private static final long TICKS_PER_SECOND = clockTicks();
  private final Map<String, Long> roots;
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-rss");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Long> rssMax = new HashMap<>();
  private ScheduledFuture<?> rssTask;

  ServerProcesses(Map<String, Long> roots) {
    this.roots = new LinkedHashMap<>(roots);
  }

  boolean enabled() {
    return !roots.isEmpty() && Files.isDirectory(Path.of("/proc/self"));
  }

  /** CPU milliseconds used so far by each labelled tree. */
  Map<String, Double> cpuMs() {
    Map<String, Double> out = new LinkedHashMap<>();
    if (!enabled()) return out;
    Map<Long, Long> parents = parents();
    Set<Long> seen = new HashSet<>();
    roots.forEach(
        (label, root) -> {
          long ticks = 0;
          for (long pid : tree(root, parents)) {
            if (seen.add(pid)) ticks += cpuTicks(pid);
          }
          out.put(label, ticks * 1000.0 / TICKS_PER_SECOND);
        });
    return out;
  }

  /** CPU milliseconds this JVM (the bench) used so far. */
  static double selfCpuMs() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1e6
        : Double.NaN;
  }

  /** Starts sampling each root's RSS twice a second, keeping the largest. */
  synchronized void startRss() {
    rssMax.clear();
    if (!enabled()) return;
    rssTask = sampler.scheduleAtFixedRate(this::sampleRss, 0, 500, TimeUnit.MILLISECONDS);
  }

  /** Stops sampling; the largest RSS of each root in MB. */
  synchronized Map<String, Double> stopRss() {
    if (rssTask != null) rssTask.cancel(false);
    rssTask = null;
    sampleRss();
    Map<String, Double> out = new LinkedHashMap<>();
    roots
        .keySet()
        .forEach(
            label -> {
              Long kb = rssMax.get(label);
              if (kb != null) out.put(label, kb / 1024.0);
            });
    return out;
  }

  /** Per-label difference {@code after - before}. */
  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> out = new LinkedHashMap<>();
    after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0.0)));
    return out;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }

  private synchronized void sampleRss() {
    roots.forEach(
        (label, pid) -> {
          long kb = rssKb(pid);
          if (kb > 0) rssMax.merge(label, kb, Math::max);
        });
  }

  private static List<Long> tree(long root, Map<Long, Long> parents) {
    Map<Long, List<Long>> children = new HashMap<>();
    parents.forEach((pid, ppid) -> children.computeIfAbsent(ppid, p -> new ArrayList<>()).add(pid));
    List<Long> out = new ArrayList<>();
    Deque<Long> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      long p = todo.pop();
      if (!parents.containsKey(p)) continue;
      out.add(p);
      todo.addAll(children.getOrDefault(p, List.of()));
    }
    return out;
  }

  private static Map<Long, Long> parents() {
    Map<Long, Long> out = new HashMap<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .map(p -> p.getFileName().toString())
          .filter(n -> n.chars().allMatch(Character::isDigit))
          .forEach(
              n -> {
                String[] f = statFields(Long.parseLong(n));
                if (f != null) out.put(Long.parseLong(n), Long.parseLong(f[1]));
              });
    } catch (IOException e) {
      // /proc unreadable: no tree
    }
    return out;
  }

  /** utime + stime + cutime + cstime, in clock ticks. */
  private static long cpuTicks(long pid) {
    String[] f = statFields(pid);
    if (f == null) return 0;
    return Long.parseLong(f[11])
        + Long.parseLong(f[12])
        + Long.parseLong(f[13])
        + Long.parseLong(f[14]);
  }

  /**
   * The fields of /proc/pid/stat after the command name: [0] = state (field 3), [1] = ppid, [11] =
   * utime …
   */
  private static String[] statFields(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
