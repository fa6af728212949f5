package org.keydir.keys;

import java.util.List;
import java.util.Optional;

/** What one upload writes, decided before anything is written (so a rejected upload writes nothing). */
public record UploadPlan(Optional<DeviceKeys> deviceKeys, List<UploadedKey> newOneTimeKeys,
                         List<UploadedKey> newFallbackKeys, List<KeyId> skippedClaimedIds) {
  public boolean writesNothing() {
    return deviceKeys.isEmpty() && newOneTimeKeys.isEmpty() && newFallbackKeys.isEmpty();
  }
}
