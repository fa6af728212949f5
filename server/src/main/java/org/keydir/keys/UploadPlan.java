package org.keydir.keys;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one upload writes, decided before anything is written (so a rejected upload writes nothing).
 */
public record UploadPlan(
    Optional<DeviceKeys> deviceKeys,
    List<UploadedKey> newOneTimeKeys,
    List<UploadedKey> newFallbackKeys,
    List<KeyId> skippedClaimedIds) {
  public boolean writesNothing() {
    return deviceKeys.isEmpty() && newOneTimeKeys.isEmpty() && newFallbackKeys.isEmpty();
  }

  /**
   * The available counts once this plan is written, from the counts read before it under the
   * device's lock (nothing but claims changes them meanwhile, and a claim racing the upload may
   * land on either side of the answer): no second count of the device's keys.
   */
  public Map<String, Integer> countsAfter(Map<String, Integer> before) {
    Map<String, Integer> after = new HashMap<>(before);
    newOneTimeKeys.forEach(k -> after.merge(k.keyId().algorithm(), 1, Integer::sum));
    return after;
  }
}
