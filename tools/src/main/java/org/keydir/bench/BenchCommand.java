package org.keydir.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keydir bench}: load and verify any server's Matrix key endpoints. */
@Command(
    name = "bench",
    version = "keydir bench 0.1.0",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Load and verify any server's Matrix key endpoints at several concurrency levels.",
      "Every claimed key is checked (never twice, never empty while keys remain); writes results.json and report.html."
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--base", required = true, description = "the server, e.g. http://127.0.0.1:8008")
  URI base;

  @Option(
      names = "--admin-token",
      description = "create devices through keydir's admin API with this token")
  String adminToken;

  @Option(
      names = "--devices-file",
      description = "or use these fresh devices: lines of user_id, device_id, access_token")
  Path devicesFile;

  @Option(
      names = "--server-name",
      defaultValue = "localhost",
      description = "server name of the users the admin API creates (default: ${DEFAULT-VALUE})")
  String serverName;

  @Option(
      names = "--devices",
      defaultValue = "256",
      description = "devices to create (default: ${DEFAULT-VALUE})")
  int devices;

  @Option(
      names = "--concurrency",
      defaultValue = "1,4,16,64",
      split = ",",
      description = "requests in flight, one level after another (default: ${DEFAULT-VALUE})")
  List<Integer> concurrency;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      description = "per phase and level, e.g. 10s, 500ms (default: ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--requests", description = "per phase and level, instead of --duration")
  Long requests;

  @Option(
      names = "--warmup",
      defaultValue = "1s",
      description = "unmeasured load before each level (default: ${DEFAULT-VALUE})")
  String warmup;

  @Option(
      names = "--server-warmup",
      defaultValue = "0s",
      description =
          "unmeasured mixed load before the first phase, e.g. to warm a fresh JVM (default: ${DEFAULT-VALUE})")
  String serverWarmup;

  @Option(
      names = "--phases",
      defaultValue = "upload,claim,claim-bulk,query,mixed",
      split = ",",
      description = "any of upload, claim, claim-bulk, query, mixed (default: ${DEFAULT-VALUE})")
  List<String> phases;

  @Option(
      names = "--batch",
      defaultValue = "100",
      description = "one-time keys per upload (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--bulk",
      defaultValue = "100",
      description = "devices per bulk claim (default: ${DEFAULT-VALUE})")
  int bulk;

  @Option(
      names = "--query-users",
      defaultValue = "10",
      description = "devices per query (default: ${DEFAULT-VALUE})")
  int queryUsers;

  @Option(
      names = "--max-stock",
      defaultValue = "10000",
      description =
          "never hold more one-time keys per device than this, the server's cap (default: ${DEFAULT-VALUE})")
  int maxStock;

  @Option(
      names = "--client-threads",
      defaultValue = "1",
      description = "client event loops (default: ${DEFAULT-VALUE})")
  int clientThreads;

  @Option(
      names = "--server-pid",
      description =
          "label=pid of a server process on this machine, to sample its CPU "
              + "(with children) and RSS per level; repeatable, e.g. --server-pid keydir=123 --server-pid postgres=456")
  Map<String, Long> serverPids = new LinkedHashMap<>();

  @Option(
      names = "--out",
      description = "where results.json and report.html go (default: bench-results/<time>)")
  Path out;

  @Option(names = "--quiet", description = "no progress or table on stdout")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    BenchOptions o = options();
    Bench.Result r = Bench.run(o);
    long problems =
        r.json().path("checks").path("verification_errors").size()
            + r.json().path("checks").path("empty_claims").asLong();
    return problems == 0 ? 0 : 1;
  }

  BenchOptions options() {
    RunLimit limit =
        requests != null
            ? RunLimit.ofRequests(requests)
            : RunLimit.ofDuration(RunLimit.parseDuration(duration));
    Path dir =
        out != null
            ? out
            : Path.of(
                "bench-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    return new BenchOptions(
        base,
        adminToken,
        devicesFile,
        serverName,
        devices,
        concurrency,
        limit,
        RunLimit.parseDuration(warmup),
        RunLimit.parseDuration(serverWarmup),
        phases.stream().map(Phase::parse).toList(),
        batch,
        bulk,
        queryUsers,
        maxStock,
        clientThreads,
        dir,
        serverPids,
        quiet);
  }
}
