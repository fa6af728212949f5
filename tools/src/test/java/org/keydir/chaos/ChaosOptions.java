package org.keydir.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The harness's command line. Durations take a unit: 500ms, 30s, 40m, 1h. */
record ChaosOptions(
    int instances,
    int clients,
    int devices,
    long ops,
    long durationMs,
    boolean faults,
    String databaseUrl,
    Path workDir,
    Path journal,
    long seed,
    long faultEveryMs,
    double dropRate,
    long checkpointEveryMs,
    long timeoutMs,
    long outageSlackMs) {

  static final String USAGE =
      """
      usage: ChaosMain [--instances 3] [--clients 64] [--devices 16] [--ops N] [--duration 40m] [--faults on|off]
                       [--database-url postgresql://…] [--work-dir DIR] [--journal FILE|auto] [--seed N]
                       [--fault-every 15s] [--drop-rate 0.002] [--checkpoint-every 5m] [--timeout 15s]
                       [--outage-slack 5s]
        --ops and --duration both bound the run (the first reached ends it); with neither, --ops 100000.
        --database-url uses an existing PostgreSQL (then it is never restarted); default: a dedicated embedded one.""";

  static ChaosOptions defaults() {
    return new ChaosOptions(
        3,
        64,
        16,
        -1,
        0,
        true,
        null,
        null,
        null,
        System.nanoTime(),
        15_000,
        0.002,
        300_000,
        15_000,
        5_000);
  }

  static ChaosOptions parse(String... args) {
    ChaosOptions o = defaults();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) throw new IllegalArgumentException(USAGE);
      if (i + 1 >= args.length)
        throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
      String v = args[++i];
      o =
          switch (name) {
            case "--instances" -> o.with(b -> b.instances = positive(name, Integer.parseInt(v)));
            case "--clients" -> o.with(b -> b.clients = positive(name, Integer.parseInt(v)));
            case "--devices" -> o.with(b -> b.devices = positive(name, Integer.parseInt(v)));
            case "--ops" -> o.with(b -> b.ops = positive(name, Long.parseLong(v.replace("_", ""))));
            case "--duration" -> o.with(b -> b.durationMs = millis(v));
            case "--faults" -> o.with(b -> b.faults = onOff(name, v));
            case "--database-url" -> o.with(b -> b.databaseUrl = v);
            case "--work-dir" -> o.with(b -> b.workDir = Path.of(v));
            case "--journal" -> o.with(b -> b.journal = Path.of(v));
            case "--seed" -> o.with(b -> b.seed = Long.parseLong(v));
            case "--fault-every" -> o.with(b -> b.faultEveryMs = millis(v));
            case "--drop-rate" -> o.with(b -> b.dropRate = Double.parseDouble(v));
            case "--checkpoint-every" -> o.with(b -> b.checkpointEveryMs = millis(v));
            case "--timeout" -> o.with(b -> b.timeoutMs = millis(v));
            case "--outage-slack" -> o.with(b -> b.outageSlackMs = millis(v));
            default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
          };
    }
    return o.resolved();
  }

  /** Fills what depends on other options: the op bound, the work folder, "auto" journal. */
  ChaosOptions resolved() {
    return with(
        b -> {
          if (b.ops <= 0) b.ops = b.durationMs > 0 ? Long.MAX_VALUE : 100_000;
          if (b.workDir == null) {
            b.workDir =
                Path.of(
                    "target",
                    "chaos",
                    "run-"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
          }
          if (b.journal != null && b.journal.toString().equals("auto"))
            b.journal = b.workDir.resolve("journal.jsonl");
        });
  }

  private static int positive(String name, int v) {
    if (v <= 0) throw new IllegalArgumentException(name + " must be > 0");
    return v;
  }

  private static long positive(String name, long v) {
    if (v <= 0) throw new IllegalArgumentException(name + " must be > 0");
    return v;
  }

  private static boolean onOff(String name, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(name + " takes on or off");
    };
  }

  static long millis(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("ms")) return Long.parseLong(s.substring(0, s.length() - 2));
    if (s.endsWith("s"))
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1))).toMillis();
    if (s.endsWith("m"))
      return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1))).toMillis();
    if (s.endsWith("h"))
      return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1))).toMillis();
    throw new IllegalArgumentException("a duration needs a unit (ms, s, m, h): " + v);
  }

  /** A mutable copy, for building. */
  static final class Builder {
    int instances;
    int clients;
    int devices;
    long ops;
    long durationMs;
    boolean faults;
    String databaseUrl;
    Path workDir;
    Path journal;
    long seed;
    long faultEveryMs;
    double dropRate;
    long checkpointEveryMs;
    long timeoutMs;
    long outageSlackMs;
  }

  ChaosOptions with(java.util.function.Consumer<Builder> change) {
    Builder b = new Builder();
    b.instances = instances;
    b.clients = clients;
    b.devices = devices;
    b.ops = ops;
    b.durationMs = durationMs;
    b.faults = faults;
    b.databaseUrl = databaseUrl;
    b.workDir = workDir;
    b.journal = journal;
    b.seed = seed;
    b.faultEveryMs = faultEveryMs;
    b.dropRate = dropRate;
    b.checkpointEveryMs = checkpointEveryMs;
    b.timeoutMs = timeoutMs;
    b.outageSlackMs = outageSlackMs;
    change.accept(b);
    return new ChaosOptions(
        b.instances,
        b.clients,
        b.devices,
        b.ops,
        b.durationMs,
        b.faults,
        b.databaseUrl,
        b.workDir,
        b.journal,
        b.seed,
        b.faultEveryMs,
        b.dropRate,
        b.checkpointEveryMs,
        b.timeoutMs,
        b.outageSlackMs);
  }
}
