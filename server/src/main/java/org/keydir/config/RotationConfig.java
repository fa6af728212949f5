package org.keydir.config;

import java.time.Duration;

/**
 * The rotation policy's knobs (docs/server-keys.md explains the defaults):
 *
 * <ul>
 *   <li>{@code pendingDuration} (1 h): how long a new key is published before it may sign; at least
 *       2 × {@code refreshInterval}, so every replica's key ring has loaded it first.
 *   <li>{@code rotationPeriod} (30 d): how long a key signs; at least 2 × {@code pendingDuration}.
 *   <li>{@code expiredRetention} (7 d): how long an expired key stays in {@code old_verify_keys}.
 *   <li>{@code refreshInterval} (1 min): how often each replica reloads keys from the database.
 *   <li>{@code publishedValidity} (1 d, as Synapse's {@code key_refresh_interval}): the most a
 *       published {@code valid_until_ts} lies ahead, so peers trust a revoked key at most that
 *       long.
 * </ul>
 */
public record RotationConfig(
    Duration pendingDuration,
    Duration rotationPeriod,
    Duration expiredRetention,
    Duration refreshInterval,
    Duration publishedValidity) {
  public RotationConfig(
      Duration pendingDuration,
      Duration rotationPeriod,
      Duration expiredRetention,
      Duration refreshInterval) {
    this(pendingDuration, rotationPeriod, expiredRetention, refreshInterval, Duration.ofDays(1));
  }

  public RotationConfig {
    require(
        !publishedValidity.isNegative() && !publishedValidity.isZero(),
        "rotation.published_validity must be positive");
    require(
        !refreshInterval.isNegative() && !refreshInterval.isZero(),
        "rotation.refresh_interval must be positive");
    require(
        pendingDuration.compareTo(refreshInterval.multipliedBy(2)) >= 0,
        "rotation.pending_duration ("
            + pendingDuration
            + ") must be >= 2 x rotation.refresh_interval ("
            + refreshInterval
            + ")");
    require(
        rotationPeriod.compareTo(pendingDuration.multipliedBy(2)) >= 0,
        "rotation.rotation_period ("
            + rotationPeriod
            + ") must be >= 2 x rotation.pending_duration");
    require(
        expiredRetention.compareTo(refreshInterval) >= 0,
        "rotation.expired_retention must be >= rotation.refresh_interval");
  }

  public static RotationConfig defaults() {
    return new RotationConfig(
        Duration.ofHours(1), Duration.ofDays(30), Duration.ofDays(7), Duration.ofMinutes(1));
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ConfigException(message);
  }
}
