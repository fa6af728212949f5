package org.keydir.host;

import java.util.Optional;
import org.keydir.keys.KeydirException;

/**
 * The {@code since}/{@code next_batch} token keydir hands out in host mode: the host's own token
 * wrapped with keydir's device-list position and what keydir last reported to the device
 * ({@code signed_curve25519} count, whether an unused fallback key was left):
 * {@code kd1~<position>~<count>~<0|1>~<host token>}. A token without the prefix is the host's own
 * (a client that synced before keydir was put in front) and means "from now". Pure.
 */
public record SyncToken(String hostToken, long position, long oneTimeKeys, boolean unusedFallback) {
  static final String PREFIX = "kd1~";

  public static Optional<SyncToken> parse(String since) {
    if (since == null || !since.startsWith(PREFIX)) return Optional.empty();
    String[] parts = since.split("~", 5);
    if (parts.length != 5 || !parts[1].matches("[0-9]{1,18}") || !parts[2].matches("[0-9]{1,18}")
        || !parts[3].matches("[01]") || parts[4].isEmpty()) {
      throw KeydirException.invalidParam("'since' is not a sync token this server gave out");
    }
    return Optional.of(new SyncToken(parts[4], Long.parseLong(parts[1]), Long.parseLong(parts[2]), parts[3].equals("1")));
  }

  public String wire() {
    return PREFIX + position + "~" + oneTimeKeys + "~" + (unusedFallback ? "1" : "0") + "~" + hostToken;
  }
}
