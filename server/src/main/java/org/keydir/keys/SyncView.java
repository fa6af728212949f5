package org.keydir.keys;

import java.util.List;
import java.util.Map;

/**
 * What keydir knows for one device's /sync, read in one statement (one snapshot): the stream's
 * position, the users changed after the device's previous position that its user tracks (and the
 * user themself), the device's one-time key counts and its unused fallback key algorithms.
 */
public record SyncView(
    long position,
    List<String> changedUsers,
    Map<String, Long> oneTimeKeyCounts,
    List<String> unusedFallbackKeyTypes) {
  /**
   * Counted even when 0 (as Synapse does): clients read a missing count as "unknown", not "none".
   */
  public static final String ALWAYS_COUNTED = "signed_curve25519";

  public long signedCurve25519() {
    return oneTimeKeyCounts.getOrDefault(ALWAYS_COUNTED, 0L);
  }

  /**
   * Whether the device has news keydir should not hold back behind a long-poll: a tracked user
   * changed, or fewer one-time keys (or no unused fallback key) than last reported (the client
   * uploads when it sees the count drop).
   */
  public boolean isNewsSince(long reportedOneTimeKeys, boolean reportedUnusedFallback) {
    return !changedUsers.isEmpty()
        || signedCurve25519() < reportedOneTimeKeys
        || (reportedUnusedFallback && unusedFallbackKeyTypes.isEmpty());
  }
}
