package org.keydir.chaos;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Injects one fault at a time, at random intervals: {@code kill -9} of an instance (restarted after
 * a short delay), a restart of PostgreSQL (fast shutdown, a pause, a start on the same port), or a
 * cut of every connection through one proxy. The first round does each kind once, in random order.
 * Random mid-request drops run all along in the proxies. Every fault is journaled with its times. A
 * checkpoint takes {@link #lock} so that it never overlaps a fault.
 */
final class FaultInjector implements Runnable {
  enum Kind {
    KILL,
    POSTGRES,
    CUT
  }

  final ReentrantLock lock = new ReentrantLock();
  private final Cluster cluster;
  private final PostgresNode pg;
  private final Journal journal;
  private final Violations violations;
  private final long meanGapMs;
  private final Random rnd;
  private final PrintStream log;
  private final Object sleeper = new Object();
  private volatile boolean stopped;

  FaultInjector(
      Cluster cluster,
      PostgresNode pg,
      Journal journal,
      Violations violations,
      long meanGapMs,
      long seed,
      PrintStream log) {
    this.cluster = cluster;
    this.pg = pg;
    this.journal = journal;
    this.violations = violations;
    this.meanGapMs = meanGapMs;
    this.rnd = new Random(seed);
    this.log = log;
  }

  @Override
  public void run() {
    List<Kind> firstRound = new ArrayList<>(List.of(Kind.KILL, Kind.CUT));
    if (pg.restartable()) firstRound.add(Kind.POSTGRES);
    Collections.shuffle(firstRound, rnd);
    int round = 0;
    while (!stopped) {
      sleep(meanGapMs / 2 + (long) (rnd.nextDouble() * meanGapMs));
      lock.lock();
      try {
        if (stopped) return;
        restartAnyThatDied();
        inject(round < firstRound.size() ? firstRound.get(round) : randomKind());
        round++;
      } catch (Exception e) {
        violations.add("a fault could not be injected or recovered from", e.toString());
      } finally {
        lock.unlock();
      }
    }
  }

  private Kind randomKind() {
    int r = rnd.nextInt(100);
    if (r < 35) return Kind.KILL;
    if (r < 60 && pg.restartable()) return Kind.POSTGRES;
    return Kind.CUT;
  }

  private void inject(Kind kind) throws Exception {
    long t0 = System.currentTimeMillis();
    switch (kind) {
      case KILL -> {
        int i = rnd.nextInt(cluster.size());
        Cluster.Node node = cluster.node(i);
        node.process().kill9();
        node.up().set(false);
        long downMs = 300 + rnd.nextInt(1700);
        Thread.sleep(downMs);
        node.process().startReady(120_000);
        node.up().set(true);
        fault(
            "kill -9",
            "keydir-" + i,
            t0,
            "down "
                + downMs
                + " ms, ready again after "
                + (System.currentTimeMillis() - t0)
                + " ms");
      }
      case POSTGRES -> {
        long downMs = 200 + rnd.nextInt(1800);
        pg.restart(downMs);
        fault(
            "postgres restart",
            "postgres",
            t0,
            "stopped, " + downMs + " ms down, started on the same port");
      }
      case CUT -> {
        int i = rnd.nextInt(cluster.size());
        int n = cluster.node(i).proxy().cutAll();
        fault("cut connections", "proxy-" + i, t0, n + " open connections closed");
      }
    }
  }

  /**
   * A keydir that exited without being killed is a finding; it is restarted so the run can go on.
   */
  void restartAnyThatDied() throws Exception {
    for (int i = 0; i < cluster.size(); i++) {
      Cluster.Node node = cluster.node(i);
      if (node.up().get() && !node.process().alive()) {
        violations.add("a keydir instance exited on its own", "keydir-" + i + " (see its log)");
        node.up().set(false);
        node.process().startReady(120_000);
        node.up().set(true);
      }
    }
  }

  private void fault(String kind, String target, long t0, String detail) {
    long t1 = System.currentTimeMillis();
    journal.fault(kind, target, t0, t1, detail);
    log.printf("[chaos] %s %s %s: %s%n", Instant.ofEpochMilli(t0), kind, target, detail);
  }

  private void sleep(long ms) {
    synchronized (sleeper) {
      long until = System.currentTimeMillis() + ms;
      while (!stopped && System.currentTimeMillis() < until) {
        try {
          sleeper.wait(Math.max(1, until - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** No new fault starts; one under way is finished (everything is back up) before this returns. */
  void stop() {
    stopped = true;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
    lock.lock();
    lock.unlock();
  }
}
