package org.keydir.chaos;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One run: a database, N keydir processes behind proxies, the devices, M clients, the fault
 * injector; checkpoints at quiescent points along the way; at the end, everything quiet, the count
 * check and the end checks against the database.
 */
final class ChaosRun {
  static final String SERVER_NAME = "chaos.test";
  private final ChaosOptions o;
  private final PrintStream log;

  ChaosRun(ChaosOptions o, PrintStream log) {
    this.o = o;
    this.log = log;
  }

  ChaosReport run() throws Exception {
    Path dir = Files.createDirectories(o.workDir());
    String runId = Long.toString(Math.abs(new Random(o.seed()).nextLong()) % 1_000_000_000L, 36);
    log.printf("[chaos] run %s seed %d in %s%n", runId, o.seed(), dir.toAbsolutePath());
    Violations violations = new Violations();
    try (PostgresNode pg =
            o.databaseUrl() == null
                ? PostgresNode.embedded(dir.resolve("pg"))
                : PostgresNode.external(o.databaseUrl());
        Cluster cluster =
            Cluster.start(
                o.instances(),
                pg.url(),
                SERVER_NAME,
                dir,
                System.getProperty("java.class.path"),
                180_000);
        Journal journal = new Journal(violations, o.journal());
        Watchdog watchdog = new Watchdog();
        ChaosClient checker =
            new ChaosClient(-1, o.seed(), cluster, journal, watchdog, o.timeoutMs())) {
      log.printf(
          "[chaos] %d keydir instances up on the embedded PostgreSQL under %s%n",
          cluster.size(), dir);
      // Interrupted (Ctrl-C, kill): stop the instances and PostgreSQL rather than leave them
      // running.
      Thread cleanup =
          new Thread(
              () -> {
                cluster.close();
                pg.close();
              },
              "chaos-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanup);
      try {
        return drive(dir, runId, violations, pg, cluster, journal, watchdog, checker);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
          // the hook is already running: it stops the cluster
        }
      }
    }
  }

  private ChaosReport drive(
      Path dir,
      String runId,
      Violations violations,
      PostgresNode pg,
      Cluster cluster,
      Journal journal,
      Watchdog watchdog,
      ChaosClient checker)
      throws Exception {
    World world = Setup.devices(o.devices(), runId, SERVER_NAME, checker, journal, violations);
    for (int i = 0; i < cluster.size(); i++) {
      int index = i;
      cluster
          .node(i)
          .proxy()
          .onDrop(
              what ->
                  journal.fault(
                      "drop",
                      "proxy-" + index,
                      System.currentTimeMillis(),
                      System.currentTimeMillis(),
                      what));
    }
    long t0 = System.nanoTime();
    Budget budget = new Budget(journal, o.ops(), o.durationMs());
    Gate gate = new Gate();
    FaultInjector faults =
        new FaultInjector(cluster, pg, journal, violations, o.faultEveryMs(), o.seed() + 1, log);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < o.clients(); c++) {
      ChaosClient client =
          new ChaosClient(c, o.seed() + 100 + c, cluster, journal, watchdog, o.timeoutMs());
      Thread t = new Thread(new Workload(client, world, budget, gate), "chaos-client-" + c);
      clients.add(t);
    }
    Thread injector = new Thread(faults, "chaos-faults");
    if (o.faults()) {
      cluster.dropProbability(o.dropRate());
      injector.start();
    }
    clients.forEach(Thread::start);
    int checkpoints =
        watch(
            clients,
            t0,
            journal,
            violations,
            () -> {
              gate.closeGate();
              faults.lock.lock();
              try {
                quiet(cluster, faults);
                CountCheck.run("checkpoint", world, cluster, pg, checker);
              } finally {
                cluster.dropProbability(o.faults() ? o.dropRate() : 0);
                faults.lock.unlock();
                gate.openGate();
              }
            });
    long durationMs = (System.nanoTime() - t0) / 1_000_000;
    long requests = journal.requests();
    faults.stop();
    quiet(cluster, faults);
    log.printf(
        "[chaos] clients done: %d requests in %.1f s; final checks%n",
        requests, durationMs / 1000.0);
    CountCheck.run("end", world, cluster, pg, checker);
    DbSnapshot snapshot = DbSnapshot.read(pg, world.devices());
    EndChecks.Tally tally = new EndChecks(world, snapshot).run();
    cluster.close(); // flushes the instances' logs
    int unseenFailures =
        ServerErrors.check(journal.failures(), pg.outages(), o.outageSlackMs(), dir, violations);
    return new ChaosReport(
        o,
        runId,
        durationMs,
        requests,
        journal.stats(),
        journal.faults(),
        cluster.proxyDrops(),
        pg.outages().windows(),
        tally,
        checkpoints,
        unseenFailures,
        violations);
  }

  /** No drops, every instance alive and up. */
  private static void quiet(Cluster cluster, FaultInjector faults) throws Exception {
    cluster.dropProbability(0);
    faults.restartAnyThatDied();
  }

  interface Checkpoint {
    void run() throws Exception;
  }

  /**
   * Waits for the clients, printing progress every 10 s and running a checkpoint every
   * checkpoint_every.
   */
  private int watch(
      List<Thread> clients, long t0, Journal journal, Violations violations, Checkpoint checkpoint)
      throws Exception {
    long nextCheckpoint = o.checkpointEveryMs() > 0 ? o.checkpointEveryMs() : Long.MAX_VALUE;
    int checkpoints = 0;
    long lastRequests = 0;
    long lastMs = 0;
    while (clients.stream().anyMatch(Thread::isAlive)) {
      for (Thread t : clients) {
        t.join(Math.max(1, 10_000 - (System.nanoTime() - t0) / 1_000_000 % 10_000));
        if (t.isAlive()) break;
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long requests = journal.requests();
      log.printf(
          "[chaos] %4d s  %,d requests  %.0f/s  violations so far %d (5xx are judged at the end)%n",
          ms / 1000,
          requests,
          (requests - lastRequests) * 1000.0 / Math.max(1, ms - lastMs),
          violations.total());
      lastRequests = requests;
      lastMs = ms;
      if (ms >= nextCheckpoint && clients.stream().anyMatch(Thread::isAlive)) {
        long c0 = System.nanoTime();
        checkpoint.run();
        checkpoints++;
        log.printf(
            "[chaos] checkpoint %d: counts checked at a quiescent point in %d ms%n",
            checkpoints, (System.nanoTime() - c0) / 1_000_000);
        nextCheckpoint = ms + o.checkpointEveryMs();
      }
    }
    return checkpoints;
  }
}
