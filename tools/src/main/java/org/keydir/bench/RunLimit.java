package org.keydir.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * How long one phase runs at one concurrency level: a wall-clock duration or a number of requests.
 */
public record RunLimit(Duration duration, long requests) {
  public RunLimit {
    if ((duration == null) == (requests <= 0))
      throw new IllegalArgumentException("give a duration or a request count");
  }

  public static RunLimit ofDuration(Duration d) {
    return new RunLimit(d, 0);
  }

  public static RunLimit ofRequests(long n) {
    return new RunLimit(null, n);
  }

  public boolean byRequests() {
    return duration == null;
  }

  /** "10s", "500ms", "2m" or a bare number of seconds. */
  public static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms"))
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      if (t.endsWith("s"))
        return Duration.ofMillis(
            Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      if (t.endsWith("m"))
        return Duration.ofSeconds(
            Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
      return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + s + "' (e.g. 10s, 500ms, 1m)");
    }
  }

  @Override
  public String toString() {
    return byRequests() ? requests + " requests" : duration.toMillis() / 1000.0 + " s";
  }
}
