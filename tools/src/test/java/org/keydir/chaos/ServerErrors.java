package org.keydir.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The status rules, at the end: a 503 must overlap a database outage (plus slack after it came
 * back); any other 5xx is a violation. Each 500 is matched, by the request id keydir puts in its
 * body, with the exception keydir logged for it. keydir's logs are also read for 500s no client
 * received (the connection was dropped first): those are violations too, except a failure that only
 * says the client went away. Causes of bugs found before are named in the report.
 */
final class ServerErrors {
  static final String KNOWN_BUG = "known bug: ";
  // Both were known bugs (found by this harness, fixed; regression tests BulkClaimDeadlockBugTest
  // and
  // ConnectionLossBugTest): named for the report, and counted as violations like any other 5xx.
  static final String DEADLOCK =
      "a 500 from a deadlock between bulk claims (fixed: BulkClaimDeadlockBugTest)";
  static final String CONNECTION_LOST =
      "a 500 for a database connection lost inside a transaction (fixed: ConnectionLossBugTest)";
  private static final String CLIENT_GONE = "io.vertx.core.http.HttpClosedException";
  private static final Pattern REQUEST_ID = Pattern.compile("\\(request ([0-9a-f]+)\\)");
  private static final Pattern LOGGED =
      Pattern.compile("^(\\S+) .*request ([0-9a-f]+): unhandled failure");

  private record Logged(long ms, String cause, String log) {}

  private ServerErrors() {}

  /** Returns how many failures keydir logged for clients that had gone away (not violations). */
  static int check(
      List<Journal.Failure> failures, Outages outages, long slackMs, Path workDir, Violations v)
      throws IOException {
    Map<String, Logged> logged = loggedFailures(workDir);
    Set<String> answered = new HashSet<>();
    for (Journal.Failure f : failures) {
      Exchange ex = f.ex();
      String where = "#" + f.seq() + " " + f.op() + " via instance " + f.instance();
      boolean duringOutage = outages.overlaps(ex.startMs(), ex.endMs(), slackMs);
      if (ex.outcome() == Outcome.UNAVAILABLE) {
        if (!duringOutage) v.add("a 503 while the database was up", where);
        continue;
      }
      Matcher m = REQUEST_ID.matcher(ex.body() == null ? "" : ex.body());
      Logged cause = m.find() ? logged.get(m.group(1)) : null;
      if (cause != null) answered.add(m.group(1));
      classify(
          cause == null ? null : cause.cause(),
          duringOutage,
          where
              + ": "
              + ex.describe()
              + " — keydir logged: "
              + (cause == null ? "nothing found" : cause.cause()),
          v);
    }
    int clientGone = 0;
    for (Map.Entry<String, Logged> e : logged.entrySet()) {
      if (answered.contains(e.getKey())) continue;
      Logged l = e.getValue();
      if (l.cause().startsWith(CLIENT_GONE)) {
        clientGone++;
        continue;
      }
      classify(
          l.cause(),
          outages.overlaps(l.ms(), l.ms(), slackMs),
          "request " + e.getKey() + " in " + l.log() + " (its answer was lost): " + l.cause(),
          v);
    }
    return clientGone;
  }

  private static void classify(String cause, boolean duringOutage, String detail, Violations v) {
    if (cause != null && cause.contains("deadlock detected (40P01)")) {
      v.add(DEADLOCK, detail);
    } else if (cause != null && duringOutage && isConnectionLoss(cause)) {
      v.add(CONNECTION_LOST, detail);
    } else {
      v.add("a 5xx other than 503", detail);
    }
  }

  /**
   * The exceptions seen when keydir's database connection dies, that keydir does not yet map to
   * 503.
   */
  private static boolean isConnectionLoss(String cause) {
    return cause.startsWith("java.io.IOException")
        || cause.startsWith("java.net.SocketException")
        || cause.contains("Connection is not active now");
  }

  /**
   * request id → when and what keydir logged as its unhandled failure (the exception's first line).
   */
  private static Map<String, Logged> loggedFailures(Path workDir) throws IOException {
    Map<String, Logged> out = new HashMap<>();
    List<Path> logs;
    try (Stream<Path> files = Files.walk(workDir, 2)) {
      logs = files.filter(p -> p.getFileName().toString().matches("keydir-\\d+\\.log")).toList();
    }
    for (Path log : logs) {
      String pendingId = null;
      long pendingMs = 0;
      try (Stream<String> lines = Files.lines(log)) {
        for (String line : (Iterable<String>) lines::iterator) {
          if (pendingId != null) {
            out.put(pendingId, new Logged(pendingMs, line.trim(), log.getFileName().toString()));
            pendingId = null;
          }
          Matcher m = LOGGED.matcher(line);
          if (m.find()) {
            pendingId = m.group(2);
            pendingMs = parseMs(m.group(1));
          }
        }
      }
    }
    return out;
  }

  private static long parseMs(String timestamp) {
    try { // keydir's simplelogger.properties: yyyy-MM-dd'T'HH:mm:ss.SSSX
      return java.time.OffsetDateTime.parse(
              timestamp, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX"))
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
