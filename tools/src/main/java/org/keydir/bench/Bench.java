package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A whole bench run: set up devices, then every phase at every concurrency level (re-stocked,
 * warmed up, measured), a final count check, then results.json and report.html.
 */
public final class Bench {
  /** Keys per re-stocking upload. */
  static final int RESTOCK_CHUNK = 500;

  private static final int SETUP_CONCURRENCY = 16;

  /** What a run produced. */
  public record Result(ObjectNode json, Path resultsJson, Path reportHtml) {}

  private final BenchOptions o;
  private final Vertx vertx;
  private final LevelRunner runner;
  private final Progress progress;
  private final ServerProcesses server;
  private final RunTotals totals = new RunTotals();

  private Bench(BenchOptions o, Vertx vertx, Progress progress, ServerProcesses server) {
    this.o = o;
    this.vertx = vertx;
    this.runner = new LevelRunner(vertx, o.clientThreads());
    this.progress = progress;
    this.server = server;
  }

  public static Result run(BenchOptions o) throws IOException {
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(o.clientThreads())
                .setPreferNativeTransport(true));
    try (Progress progress = Progress.forConsole(o.quiet());
        ServerProcesses server = new ServerProcesses(o.serverPids())) {
      return new Bench(o, vertx, progress, server).run();
    } finally {
      vertx.close().await();
    }
  }

  private Result run() throws IOException {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<BenchDevice> devices = setUp();
    double setupSeconds = (System.nanoTime() - t0) / 1e9;
    progress.info(
        String.format(
            Locale.ROOT,
            "setup: %d devices with identity and fallback keys in %.1f s",
            devices.size(),
            setupSeconds));
    StockPlanner planner = new StockPlanner(o.bulk());
    List<LevelResult> levels = new ArrayList<>();
    warmServer(devices, planner);
    progress.info(ResultTable.HEADER);
    for (Phase phase : o.phases()) {
      for (int c : o.concurrency()) {
        LevelResult r = level(phase, c, devices, planner);
        levels.add(r);
        planner.observed(phase, r.requestsPerSecond());
      }
    }
    FinalCheck check = finalCheck(devices);
    long uploaded = devices.stream().mapToLong(d -> d.ledger().confirmedCount()).sum();
    long claimed = devices.stream().mapToLong(d -> d.ledger().claimedCount()).sum();
    ObjectNode json =
        ResultsJson.build(
            o,
            started,
            Instant.now(),
            devices.size(),
            setupSeconds,
            levels,
            totals,
            check,
            uploaded,
            claimed);
    Path results = o.out().resolve("results.json");
    Path report = o.out().resolve("report.html");
    ResultsJson.write(json, results);
    Files.writeString(report, ReportHtml.render(json));
    progress.info(summary(json));
    progress.info("wrote " + results + " and " + report);
    return new Result(json, results, report);
  }

  private List<BenchDevice> setUp() throws IOException {
    try (BenchHttp http = new BenchHttp(vertx, o.base(), SETUP_CONCURRENCY)) {
      DeviceSetup setup = new DeviceSetup(http, runner, totals);
      List<DeviceCredentials> credentials =
          o.devicesFile() != null
              ? DevicesFile.read(o.devicesFile())
              : setup.create(o.adminToken(), o.serverName(), o.devices(), runId());
      o.requireEnoughDevices(credentials.size());
      return setup.publishIdentities(credentials);
    }
  }

  private LevelResult level(Phase phase, int c, List<BenchDevice> devices, StockPlanner planner) {
    restock(
        devices,
        Math.min(
            o.maxStock(), planner.keysPerDevice(phase, o.limit(), o.warmup(), devices.size())));
    try (BenchHttp http = new BenchHttp(vertx, o.base(), c)) {
      Workload w = workload(phase, devices);
      if (!o.warmup().isZero()) {
        LevelStats warm = new LevelStats(phase.label, c);
        runner.run(http, w, c, RunLimit.ofDuration(o.warmup()), warm);
        totals.add(warm);
      }
      LevelStats stats = new LevelStats(phase.label, c);
      Map<String, Double> cpuBefore = server.cpuMs();
      double clientBefore = ServerProcesses.selfCpuMs();
      server.startRss();
      progress.start(String.format(Locale.ROOT, "%-10s c=%-3d", phase.label, c), o.limit(), stats);
      runner.run(http, w, c, o.limit(), stats);
      Map<String, Double> rss = server.stopRss();
      double client = ServerProcesses.selfCpuMs() - clientBefore;
      Map<String, Double> cpu = ServerProcesses.delta(cpuBefore, server.cpuMs());
      totals.add(stats);
      LevelResult r = LevelResult.of(stats, cpu, rss, client);
      progress.done(ResultTable.line(r));
      return r;
    }
  }

  /** Unmeasured mixed load at 4 clients (its problems still count in the run's checks). */
  private void warmServer(List<BenchDevice> devices, StockPlanner planner) {
    if (o.serverWarmup().isZero()) return;
    RunLimit limit = RunLimit.ofDuration(o.serverWarmup());
    restock(
        devices,
        Math.min(
            o.maxStock(),
            planner.keysPerDevice(Phase.MIXED, limit, Duration.ZERO, devices.size())));
    try (BenchHttp http = new BenchHttp(vertx, o.base(), 4)) {
      LevelStats s = new LevelStats("server-warmup", 4);
      progress.start("server warm-up", limit, s);
      runner.run(http, new MixedWorkload(devices, o.queryUsers(), o.maxStock()), 4, limit, s);
      progress.done(
          String.format(
              Locale.ROOT,
              "server warm-up: %d requests in %.1f s",
              s.completed(),
              s.elapsedSeconds()));
      totals.add(s);
    }
  }

  private Workload workload(Phase phase, List<BenchDevice> devices) {
    return switch (phase) {
      case UPLOAD -> new UploadWorkload("upload", devices, o.batch(), o.maxStock());
      case CLAIM -> new ClaimWorkload("claim", devices, 1);
      case CLAIM_BULK -> new ClaimWorkload("claim-bulk", devices, o.bulk());
      case QUERY -> new QueryWorkload("query", devices, o.queryUsers());
      case MIXED -> new MixedWorkload(devices, o.queryUsers(), o.maxStock());
    };
  }

  /**
   * Uploads until every device holds at least {@code target} keys (before a level; nothing else
   * runs).
   */
  private void restock(List<BenchDevice> devices, long target) {
    long rounds = target / RESTOCK_CHUNK + 3;
    try (BenchHttp http = new BenchHttp(vertx, o.base(), SETUP_CONCURRENCY)) {
      for (RestockWorkload w = new RestockWorkload(devices, target, RESTOCK_CHUNK);
          w.devicesShort() > 0;
          w = new RestockWorkload(devices, target, RESTOCK_CHUNK)) {
        LevelStats s = new LevelStats("restock", SETUP_CONCURRENCY);
        runner.run(http, w, SETUP_CONCURRENCY, RunLimit.ofRequests(Long.MAX_VALUE), s);
        totals.add(s);
        if (--rounds < 0 || s.errors() > 0) {
          throw new IllegalStateException(
              "re-stocking one-time keys failed: "
                  + s.errorsByStatus()
                  + " "
                  + s.verificationErrors());
        }
      }
    }
  }

  /** Every device's available count, asked with an empty upload, against the ledger. */
  private FinalCheck finalCheck(List<BenchDevice> devices) {
    List<BenchDevice> certain = devices.stream().filter(d -> !d.ledger().uncertain()).toList();
    int[] mismatches = {0};
    List<BenchRequest> asks =
        certain.stream()
            .map(
                d ->
                    new BenchRequest(
                        "count",
                        RequestBodies.UPLOAD,
                        d.token(),
                        RequestBodies.counts(),
                        (reply, stats) -> {
                          JsonNode j = reply.ok() ? Json.parse(reply.body()) : null;
                          JsonNode n =
                              j == null
                                  ? null
                                  : j.path("one_time_key_counts").get(SignedKeys.ALGORITHM);
                          if (n == null || !d.ledger().countEquals(n.asLong())) {
                            synchronized (mismatches) {
                              mismatches[0]++;
                            }
                          }
                        }))
            .toList();
    try (BenchHttp http = new BenchHttp(vertx, o.base(), SETUP_CONCURRENCY)) {
      LevelStats s = new LevelStats("count", SETUP_CONCURRENCY);
      runner.run(
          http, new QueueWorkload(asks), SETUP_CONCURRENCY, RunLimit.ofRequests(Long.MAX_VALUE), s);
      totals.add(s);
    }
    totals.verificationError(LevelStats.COUNT_MISMATCH, mismatches[0]);
    return new FinalCheck(certain.size(), mismatches[0], devices.size() - certain.size());
  }

  private String summary(JsonNode json) {
    JsonNode c = json.path("checks");
    return "checks: keys handed out twice "
        + c.path("verification_errors").path(LevelStats.DUPLICATE_KEY).asLong()
        + ", empty claims "
        + c.path("empty_claims").asLong()
        + ", final count mismatches "
        + c.path("final_count_mismatches").asLong()
        + " of "
        + c.path("final_count_devices_checked").asLong()
        + " devices"
        + ", verification errors "
        + c.path("verification_errors")
        + ", error statuses "
        + c.path("errors_by_status");
  }

  private static String runId() {
    SecureRandom r = new SecureRandom();
    return r.ints(6, 0, 36)
        .mapToObj(i -> Character.toString(Character.forDigit(i, 36)))
        .collect(Collectors.joining());
  }
}
