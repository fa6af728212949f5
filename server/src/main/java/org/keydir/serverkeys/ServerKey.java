package org.keydir.serverkeys;

import java.time.Instant;

/**
 * What the rotation policy knows of one signing key: state and times, never key material. {@code
 * createdAt} is when it was first published; {@code early} marks a pending key an operator asked to
 * activate as soon as it is safe rather than at the end of the rotation period.
 */
public record ServerKey(
    String keyId,
    KeyState state,
    Instant createdAt,
    Instant activatedAt,
    Instant expiredAt,
    Instant revokedAt,
    boolean early) {

  public static ServerKey pending(String keyId, Instant at, boolean early) {
    return new ServerKey(keyId, KeyState.PENDING, at, null, null, null, early);
  }

  public ServerKey activate(Instant at) {
    return new ServerKey(keyId, KeyState.ACTIVE, createdAt, at, null, null, early);
  }

  ServerKey expire(Instant at) {
    return new ServerKey(keyId, KeyState.EXPIRED, createdAt, activatedAt, at, null, early);
  }

  ServerKey revoke(Instant at) {
    return new ServerKey(keyId, KeyState.REVOKED, createdAt, activatedAt, expiredAt, at, early);
  }

  public boolean is(KeyState s) {
    return state == s;
  }
}
