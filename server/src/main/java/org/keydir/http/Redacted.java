package org.keydir.http;

import java.util.regex.Pattern;

/**
 * A failure as it may be logged: any {@code access_token=…} (a URI a library put into its message)
 * and any bearer token replaced by {@code ***}, along its whole cause chain; stack traces kept.
 */
final class Redacted extends RuntimeException {
  private static final Pattern TOKEN = Pattern.compile("(?i)(access_token=|bearer\\s+)[^&\\s\"']+");

  private Redacted(String message, Throwable cause, StackTraceElement[] stack) {
    super(message, cause, false, true);
    setStackTrace(stack);
  }

  static Throwable of(Throwable t) {
    if (t == null) return null;
    Throwable cause = t.getCause() == t ? null : of(t.getCause());
    return new Redacted(
        t.getClass().getName() + ": " + redact(String.valueOf(t.getMessage())),
        cause,
        t.getStackTrace());
  }

  static String redact(String s) {
    return TOKEN.matcher(s).replaceAll("$1***");
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
