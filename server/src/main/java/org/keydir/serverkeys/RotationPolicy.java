package org.keydir.serverkeys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.keydir.config.RotationConfig;
import org.keydir.keys.KeydirException;

/**
 * The signing-key rotation policy, as pure functions of (keys, config, now) → operations. No I/O,
 * no clock, no randomness: {@link Rotator} reads the state, calls these, applies the result.
 *
 * <ol>
 *   <li>Exactly one key is ACTIVE once bootstrapped. With none (first start, or every key revoked),
 *       the oldest pending key is activated, else a new key is created ACTIVE at once: nothing can
 *       have been signed or cached yet at bootstrap, and in an emergency signing must go on (peers
 *       refetch keys on an unknown key id).
 *   <li>{@code pendingDuration} before the active key is due to retire ({@code activatedAt +
 *       rotationPeriod}), a new key is created PENDING and published.
 *   <li>A pending key is activated — and the active one EXPIRED in the same transaction — once it
 *       has been published for {@code pendingDuration} and the active key is due (or an operator
 *       asked for an early rotation).
 *   <li>EXPIRED keys stay in {@code old_verify_keys} for {@code expiredRetention}, then are
 *       deleted; REVOKED keys are never published and are deleted after the same retention.
 *   <li>States only move forward; a clock that jumps back makes the policy wait, never undo.
 * </ol>
 */
public final class RotationPolicy {
  private RotationPolicy() {}

  public static List<Op> decide(List<ServerKey> keys, RotationConfig cfg, Instant now) {
    List<Op> ops = new ArrayList<>();
    List<ServerKey> active =
        keys.stream()
            .filter(k -> k.is(KeyState.ACTIVE))
            .sorted(Comparator.comparing(ServerKey::activatedAt).reversed())
            .toList();
    active.stream()
        .skip(1)
        .forEach(k -> ops.add(Op.on(Op.Kind.EXPIRE, k.keyId(), "more than one active key")));
    Optional<ServerKey> pending = oldestPending(keys);
    if (active.isEmpty()) {
      ops.add(
          pending
              .map(
                  p ->
                      Op.on(
                          Op.Kind.ACTIVATE,
                          p.keyId(),
                          published(p, cfg, now)
                              ? "no active key: activating the pending key"
                              : "no active key: activating the pending key early (emergency)"))
              .orElseGet(
                  () ->
                      Op.create(
                          true,
                          false,
                          keys.isEmpty()
                              ? "bootstrap: first signing key"
                              : "no active or pending key: emergency key")));
    } else {
      ServerKey current = active.get(0);
      Instant due = current.activatedAt().plus(cfg.rotationPeriod());
      if (pending.isPresent()) {
        ServerKey next = pending.get();
        // An early request made before the current key was activated has been served already.
        boolean early = next.early() && next.createdAt().isAfter(current.activatedAt());
        if (published(next, cfg, now) && (!now.isBefore(due) || early)) {
          ops.add(
              Op.on(
                  Op.Kind.EXPIRE,
                  current.keyId(),
                  early ? "early rotation" : "rotation period over"));
          ops.add(Op.on(Op.Kind.ACTIVATE, next.keyId(), "published for " + cfg.pendingDuration()));
        }
      } else if (!now.isBefore(due.minus(cfg.pendingDuration()))) {
        ops.add(
            Op.create(
                false, false, "the active key retires at " + due + ": publishing its successor"));
      }
    }
    for (ServerKey k : keys) {
      Instant since =
          k.is(KeyState.EXPIRED) ? k.expiredAt() : k.is(KeyState.REVOKED) ? k.revokedAt() : null;
      if (since != null && !now.isBefore(since.plus(cfg.expiredRetention()))) {
        ops.add(
            Op.on(Op.Kind.DELETE, k.keyId(), "retention of " + cfg.expiredRetention() + " over"));
      }
    }
    return ops;
  }

  /**
   * An operator's "rotate now". It cannot make a key sign before it was published for {@code
   * pendingDuration}: it marks the pending key (creating one if needed) to activate as soon as that
   * holds, and activates it at once if it already does.
   */
  public static List<Op> rotateEarly(List<ServerKey> keys, RotationConfig cfg, Instant now) {
    if (keys.stream().noneMatch(k -> k.is(KeyState.ACTIVE)))
      return decide(keys, cfg, now); // nothing to rotate yet
    Optional<ServerKey> pending = oldestPending(keys);
    if (pending.isEmpty()) return List.of(Op.create(false, true, "early rotation requested"));
    List<Op> ops = new ArrayList<>();
    ops.add(Op.on(Op.Kind.MARK_EARLY, pending.get().keyId(), "early rotation requested"));
    ServerKey marked =
        new ServerKey(
            pending.get().keyId(),
            KeyState.PENDING,
            pending.get().createdAt(),
            null,
            null,
            null,
            true);
    List<ServerKey> after = new ArrayList<>(keys);
    after.replaceAll(k -> k.keyId().equals(marked.keyId()) ? marked : k);
    ops.addAll(decide(after, cfg, now).stream().filter(o -> o.kind() != Op.Kind.DELETE).toList());
    return ops;
  }

  /**
   * Revoking a key: it is never used, published or accepted again. If it was the active key, a
   * successor is activated at once (the oldest pending key, else a new key): an emergency, in which
   * signing goes on and peers refetch our keys on the unknown key id.
   */
  public static List<Op> revoke(List<ServerKey> keys, String keyId, Instant now) {
    ServerKey k =
        keys.stream()
            .filter(x -> x.keyId().equals(keyId))
            .findFirst()
            .orElseThrow(
                () ->
                    KeydirException.of(KeydirException.Kind.NOT_FOUND, "no signing key %s", keyId));
    if (k.is(KeyState.REVOKED)) {
      throw KeydirException.of(KeydirException.Kind.INVALID_PARAM, "%s is already revoked", keyId);
    }
    List<Op> ops = new ArrayList<>();
    ops.add(Op.on(Op.Kind.REVOKE, keyId, "revoked by an operator"));
    if (k.is(KeyState.ACTIVE)) {
      ops.add(
          oldestPending(keys)
              .map(p -> Op.on(Op.Kind.ACTIVATE, p.keyId(), "the active key was revoked"))
              .orElseGet(
                  () ->
                      Op.create(true, false, "the active key was revoked and no key was pending")));
    }
    return ops;
  }

  /** Applies ops to a state (pure): for tests, and for the rotator's post-condition check. */
  public static List<ServerKey> simulate(
      List<ServerKey> keys, List<Op> ops, Instant now, Supplier<String> newKeyId) {
    List<ServerKey> out = new ArrayList<>(keys);
    for (Op op : ops) {
      switch (op.kind()) {
        case CREATE -> {
          ServerKey created = ServerKey.pending(newKeyId.get(), now, op.early());
          out.add(op.activeNow() ? created.activate(now) : created);
        }
        case ACTIVATE -> out.replaceAll(k -> k.keyId().equals(op.keyId()) ? k.activate(now) : k);
        case EXPIRE -> out.replaceAll(k -> k.keyId().equals(op.keyId()) ? k.expire(now) : k);
        case REVOKE -> out.replaceAll(k -> k.keyId().equals(op.keyId()) ? k.revoke(now) : k);
        case MARK_EARLY ->
            out.replaceAll(
                k ->
                    k.keyId().equals(op.keyId())
                        ? new ServerKey(
                            k.keyId(),
                            k.state(),
                            k.createdAt(),
                            k.activatedAt(),
                            k.expiredAt(),
                            k.revokedAt(),
                            true)
                        : k);
        case DELETE -> out.removeIf(k -> k.keyId().equals(op.keyId()));
      }
    }
    return out;
  }

  static boolean published(ServerKey k, RotationConfig cfg, Instant now) {
    return !now.isBefore(k.createdAt().plus(cfg.pendingDuration()));
  }

  static Optional<ServerKey> oldestPending(List<ServerKey> keys) {
    return keys.stream()
        .filter(k -> k.is(KeyState.PENDING))
        .min(Comparator.comparing(ServerKey::createdAt).thenComparing(ServerKey::keyId));
  }
}
