package org.keydir.host;

import java.util.Optional;
import org.keydir.keys.KeydirException;

/**
 * The {@code since}/{@code next_batch} token keydir hands out in host mode: the host's own token
 * wrapped with keydir's device-list position and what keydir last reported to the device ({@code
 * signed_curve25519} count, whether an unused fallback key was left): {@code
 * kd1~<position>~<count>~<flags>~<host token>} (flags: 1 = an unused fallback key was left, 2 = the
 * sliding-sync connection has the e2ee extension on, which is sticky). A token without the prefix
 * is the host's own (a client that synced before keydir was put in front) and means "from now".
 * Pure.
 */
public record SyncToken(
    String hostToken, long position, long oneTimeKeys, boolean unusedFallback, boolean e2ee) {
  public SyncToken(String hostToken, long position, long oneTimeKeys, boolean unusedFallback) {
    this(hostToken, position, oneTimeKeys, unusedFallback, false);
  }

  static final String PREFIX = "kd1~";

  public static Optional<SyncToken> parse(String since) {
    if (since == null || !since.startsWith(PREFIX)) return Optional.empty();
    String[] parts = since.split("~", 5);
    if (parts.length != 5
        || !parts[1].matches("[0-9]{1,18}")
        || !parts[2].matches("[0-9]{1,18}")
        || !parts[3].matches("[0-3]")
        || parts[4].isEmpty()) {
      throw KeydirException.invalidParam("'since' is not a sync token this server gave out");
    }
    int flags = parts[3].charAt(0) - '0';
    return Optional.of(
        new SyncToken(
            parts[4],
            Long.parseLong(parts[1]),
            Long.parseLong(parts[2]),
            (flags & 1) != 0,
            (flags & 2) != 0));
  }

  public String wire() {
    return PREFIX
        + position
        + "~"
        + oneTimeKeys
        + "~"
        + ((unusedFallback ? 1 : 0) | (e2ee ? 2 : 0))
        + "~"
        + hostToken;
  }
}
