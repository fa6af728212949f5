package org.keydir.keys;

import java.util.Map;
import java.util.Optional;

/**
 * What the store holds for one device, as far as an upload needs to know: its identity keys, the
 * stored one-time keys with the ids of this upload (claimed ones as tombstones), the available
 * one-time key counts per algorithm, and its fallback keys per algorithm.
 */
public record StoredDeviceState(
    Optional<StoredDeviceKeys> deviceKeys,
    Map<KeyId, StoredOneTimeKey> oneTimeKeys,
    Map<String, Integer> availableCounts,
    Map<String, StoredFallbackKey> fallbackKeys) {

  public record StoredDeviceKeys(String json, String ed25519, String curve25519) {}

  /** {@code json} is null once the key was claimed: its id stays reserved forever. */
  public record StoredOneTimeKey(KeyId keyId, String json) {
    public boolean claimed() {
      return json == null;
    }
  }

  public record StoredFallbackKey(KeyId keyId, String json, boolean used) {}

  public int available(String algorithm) {
    return availableCounts.getOrDefault(algorithm, 0);
  }
}
