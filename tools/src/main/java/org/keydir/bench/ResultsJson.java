package org.keydir.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * results.json: the options, the machine, every level's figures, and the run's checks and totals.
 */
final class ResultsJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ResultsJson() {}

  static ObjectNode build(
      BenchOptions o,
      Instant started,
      Instant finished,
      int devices,
      double setupSeconds,
      List<LevelResult> levels,
      RunTotals totals,
      FinalCheck check,
      long keysUploaded,
      long keysClaimed) {
    ObjectNode root = F.objectNode();
    root.put("tool", "keydir bench")
        .put("started", started.toString())
        .put("finished", finished.toString());
    ObjectNode opt = root.putObject("options");
    opt.put("base", o.base().toString())
        .put("devices", devices)
        .put("devices_from", o.devicesFile() != null ? "file" : "admin-api")
        .put("limit", o.limit().toString())
        .put("warmup_s", o.warmup().toMillis() / 1000.0)
        .put("server_warmup_s", o.serverWarmup().toMillis() / 1000.0)
        .put("batch", o.batch())
        .put("bulk", o.bulk())
        .put("query_users", o.queryUsers())
        .put("max_stock", o.maxStock())
        .put("client_threads", o.clientThreads());
    ArrayNode conc = opt.putArray("concurrency");
    o.concurrency().forEach(conc::add);
    ArrayNode phases = opt.putArray("phases");
    o.phases().forEach(p -> phases.add(p.label));
    root.putObject("machine")
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("arch", System.getProperty("os.arch"));
    root.put("setup_s", round(setupSeconds));
    ArrayNode out = root.putArray("levels");
    levels.forEach(r -> out.add(level(r)));
    ObjectNode checks = root.putObject("checks");
    checks.put("empty_claims", totals.emptyClaims());
    checks.set("verification_errors", longs(totals.verificationErrors()));
    checks.set("errors_by_status", longs(totals.errorsByStatus()));
    checks
        .put("final_count_devices_checked", check.checked())
        .put("final_count_mismatches", check.mismatches())
        .put("final_count_devices_uncertain", check.uncertain());
    ObjectNode ledger = root.putObject("ledger");
    ledger.put("one_time_keys_uploaded", keysUploaded).put("one_time_keys_claimed", keysClaimed);
    ledger.set("requests_by_op", longs(totals.requestsByOp()));
    ledger.set("keys_by_op", longs(totals.keysByOp()));
    return root;
  }

  static ObjectNode level(LevelResult r) {
    ObjectNode l = F.objectNode();
    l.put("phase", r.phase())
        .put("concurrency", r.concurrency())
        .put("seconds", round(r.seconds()))
        .put("requests", r.requests())
        .put("ok", r.ok())
        .put("keys", r.keys())
        .put("requests_per_s", round(r.requestsPerSecond()))
        .put("keys_per_s", round(r.keysPerSecond()));
    l.set("latency_ms", latency(r.latency()));
    l.put("errors", r.errors());
    l.set("errors_by_status", longs(r.errorsByStatus()));
    l.set("verification_errors", longs(r.verificationErrors()));
    l.put("empty_claims", r.emptyClaims())
        .put("fallback_claims", r.fallbackClaims())
        .put("stock_ran_out", r.stockRanOut());
    ArrayNode ops = l.putArray("ops");
    r.ops()
        .forEach(
            op -> {
              ObjectNode n =
                  ops.addObject()
                      .put("op", op.op())
                      .put("requests", op.requests())
                      .put("ok", op.ok())
                      .put("keys", op.keys());
              n.set("latency_ms", latency(op.latency()));
            });
    ObjectNode server = l.putObject("server");
    server.set("cpu_ms", doubles(r.serverCpuMs()));
    if (!Double.isNaN(r.serverCpuMsPerRequest()))
      server.put("cpu_ms_per_request", round(r.serverCpuMsPerRequest()));
    if (!Double.isNaN(r.serverCpuMsPerKey()))
      server.put("cpu_ms_per_key", round(r.serverCpuMsPerKey()));
    server.set("rss_max_mb", doubles(r.serverRssMaxMb()));
    if (!Double.isNaN(r.clientCpuMs())) {
      l.putObject("client")
          .put("cpu_ms", round(r.clientCpuMs()))
          .put("cpu_ms_per_request", r.requests() == 0 ? 0 : round(r.clientCpuMs() / r.requests()));
    }
    return l;
  }

  static void write(ObjectNode root, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(
        file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  private static ObjectNode latency(Latency lat) {
    ObjectNode n =
        F.objectNode()
            .put("count", lat.count())
            .put("p50", lat.p50())
            .put("p90", lat.p90())
            .put("p99", lat.p99())
            .put("p999", lat.p999())
            .put("max", lat.max())
            .put("mean", round(lat.mean()));
    ArrayNode curve = n.putArray("percentiles");
    lat.curve().forEach(pt -> curve.addArray().add(pt[0]).add(pt[1]));
    return n;
  }

  private static ObjectNode longs(Map<String, Long> m) {
    ObjectNode n = F.objectNode();
    m.forEach(n::put);
    return n;
  }

  private static ObjectNode doubles(Map<String, Double> m) {
    ObjectNode n = F.objectNode();
    m.forEach((k, v) -> n.put(k, round(v)));
    return n;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
