package org.keydir.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** N keydir processes on one database, each behind its own {@link DropProxy}. */
final class Cluster implements AutoCloseable {
  record Node(KeydirProcess process, DropProxy proxy, AtomicBoolean up) {}

  private final List<Node> nodes = new ArrayList<>();

  static Cluster start(
      int n, String databaseUrl, String serverName, Path dir, String classpath, long readyTimeoutMs)
      throws Exception {
    Cluster c = new Cluster();
    ExecutorService starters = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> started = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        KeydirProcess p =
            new KeydirProcess(i, databaseUrl, serverName, dir.resolve("keydir-" + i), classpath);
        c.nodes.add(new Node(p, new DropProxy(p.port()), new AtomicBoolean(false)));
        started.add(
            starters.submit(
                () -> {
                  p.startReady(readyTimeoutMs);
                  return null;
                }));
      }
      for (Future<?> f : started) f.get();
      c.nodes.forEach(node -> node.up().set(true));
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    } finally {
      starters.shutdown();
    }
  }

  int size() {
    return nodes.size();
  }

  Node node(int i) {
    return nodes.get(i);
  }

  /** A random instance that is up, else any. */
  int pick(Random rnd) {
    int n = nodes.size();
    int start = rnd.nextInt(n);
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      if (nodes.get(i).up().get()) return i;
    }
    return start;
  }

  int proxyPort(int i) {
    return nodes.get(i).proxy().port();
  }

  void dropProbability(double p) {
    nodes.forEach(n -> n.proxy().dropProbability(p));
  }

  long proxyDrops() {
    return nodes.stream().mapToLong(n -> n.proxy().drops()).sum();
  }

  boolean allUp() {
    return nodes.stream().allMatch(n -> n.up().get() && n.process().alive());
  }

  @Override
  public void close() {
    nodes.forEach(n -> n.proxy().close());
    nodes.parallelStream().forEach(n -> n.process().close());
  }
}
