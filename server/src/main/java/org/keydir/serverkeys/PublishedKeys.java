package org.keydir.serverkeys;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.keydir.config.RotationConfig;

/**
 * What {@code GET /_matrix/key/v2/server} publishes (server-server spec "Publishing Keys"), from
 * one replica's snapshot, which may be up to {@code refreshInterval} old:
 *
 * <ul>
 *   <li>{@code verify_keys}: ACTIVE and PENDING keys, and EXPIRED keys for a grace of 2 × {@code
 *       refreshInterval} after expiry — other replicas may still sign with a key until their next
 *       refresh, and a peer must not find such a signature made by an "old" key;
 *   <li>{@code old_verify_keys}: EXPIRED keys after that grace; REVOKED keys never;
 *   <li>{@code validUntil}: at most {@code publishedValidity} (default 1 day; never more than 7
 *       days) ahead, so a peer trusts a revoked key at most that long, never past the moment a
 *       listed key leaves verify_keys (its retirement or expiry plus the grace), and never past the
 *       earliest moment a key this snapshot does not list could start signing — so a peer's cached
 *       copy runs out before that happens.
 * </ul>
 */
public record PublishedKeys(
    List<ServerKey> verifyKeys, List<ServerKey> oldVerifyKeys, Instant validUntil) {
  static final Duration MAX_VALIDITY = Duration.ofDays(7);

  public static PublishedKeys of(List<ServerKey> keys, RotationConfig cfg, Instant now) {
    Duration grace = grace(cfg);
    List<ServerKey> verify =
        keys.stream()
            .filter(
                k ->
                    k.is(KeyState.ACTIVE)
                        || k.is(KeyState.PENDING)
                        || (k.is(KeyState.EXPIRED) && now.isBefore(k.expiredAt().plus(grace))))
            .toList();
    List<ServerKey> old =
        keys.stream().filter(k -> k.is(KeyState.EXPIRED) && !verify.contains(k)).toList();
    Instant until =
        now.plus(
            cfg.publishedValidity().compareTo(MAX_VALIDITY) < 0
                ? cfg.publishedValidity()
                : MAX_VALIDITY);
    for (ServerKey k : verify) {
      Instant bound =
          k.is(KeyState.ACTIVE)
              ? plannedRetirement(k, keys, cfg, now)
              : k.is(KeyState.EXPIRED) ? k.expiredAt().plus(grace) : until;
      if (bound.isBefore(until)) until = bound;
    }
    return new PublishedKeys(verify, old, until.isBefore(now) ? now : until);
  }

  /**
   * How long an expired key stays in verify_keys: other replicas may sign with it until they
   * refresh.
   */
  public static Duration grace(RotationConfig cfg) {
    return cfg.refreshInterval().multipliedBy(2);
  }

  /**
   * How long a peer may trust this response's view of the active key and its successor.
   *
   * <ul>
   *   <li>No successor listed: until the earliest moment one this (possibly stale) snapshot does
   *       not know could sign: a key created after the snapshot was loaded (no earlier than {@code
   *       now - refreshInterval}) signs no sooner than {@code pendingDuration} after that, and not
   *       before the active key is due.
   *   <li>Successor listed: the next unknown key cannot sign for a whole rotation period, so only
   *       the active key bounds it: it stays in verify_keys until its retirement plus the grace.
   * </ul>
   */
  private static Instant plannedRetirement(
      ServerKey active, List<ServerKey> keys, RotationConfig cfg, Instant now) {
    var pending = RotationPolicy.oldestPending(keys);
    Instant due = active.activatedAt().plus(cfg.rotationPeriod());
    if (pending.isEmpty()) {
      Instant unknownSuccessor = now.minus(cfg.refreshInterval()).plus(cfg.pendingDuration());
      return unknownSuccessor.isAfter(due) ? unknownSuccessor : due;
    }
    Instant successorReady = pending.get().createdAt().plus(cfg.pendingDuration());
    boolean early =
        pending.get().early() && pending.get().createdAt().isAfter(active.activatedAt());
    Instant retire = early || successorReady.isAfter(due) ? successorReady : due;
    return retire.plus(grace(cfg));
  }
}
