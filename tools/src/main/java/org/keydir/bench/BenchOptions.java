package org.keydir.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a bench run needs, validated once.
 *
 * @param serverWarmup unmeasured mixed load before the first phase, so a fresh JVM's JIT does not
 *     weigh on the first level's figures
 * @param serverPids processes on this machine whose CPU time (with their children) and RSS are
 *     sampled around every measured level, by label (e.g. keydir, postgres); empty to skip
 */
public record BenchOptions(
    URI base,
    String adminToken,
    Path devicesFile,
    String serverName,
    int devices,
    List<Integer> concurrency,
    RunLimit limit,
    Duration warmup,
    Duration serverWarmup,
    List<Phase> phases,
    int batch,
    int bulk,
    int queryUsers,
    int maxStock,
    int clientThreads,
    Path out,
    Map<String, Long> serverPids,
    boolean quiet) {
  /** Keys per upload in the mixed phase: a client topping up after a few claims. */
  public static final int MIXED_UPLOAD_BATCH = 10;

  public BenchOptions {
    if (base == null || base.getHost() == null)
      throw new IllegalArgumentException("--base must be a URL such as http://127.0.0.1:8008");
    if ((adminToken == null) == (devicesFile == null))
      throw new IllegalArgumentException("give exactly one of --admin-token and --devices-file");
    if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1))
      throw new IllegalArgumentException("--concurrency: positive numbers");
    if (phases.isEmpty()) throw new IllegalArgumentException("--phases: at least one");
    if (batch < 1 || bulk < 1 || queryUsers < 1)
      throw new IllegalArgumentException("--batch, --bulk, --query-users must be >= 1");
    if (adminToken != null && devices < 1)
      throw new IllegalArgumentException("--devices must be >= 1");
    if (clientThreads < 1) throw new IllegalArgumentException("--client-threads must be >= 1");
    if (maxStock < batch) throw new IllegalArgumentException("--max-stock must be >= --batch");
    concurrency = List.copyOf(concurrency);
    phases = List.copyOf(phases);
    serverPids = Map.copyOf(serverPids);
  }

  /** The checks that need the device count, which a devices file only tells after reading it. */
  public void requireEnoughDevices(int available) {
    if (phases.contains(Phase.CLAIM_BULK) && available < bulk) {
      throw new IllegalArgumentException(
          "claim-bulk needs at least --bulk (" + bulk + ") devices, have " + available);
    }
    if (phases.contains(Phase.QUERY) && available < queryUsers) {
      throw new IllegalArgumentException(
          "query needs at least --query-users (" + queryUsers + ") devices, have " + available);
    }
  }
}
