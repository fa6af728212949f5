package org.keydir.serverkeys;

/**
 * One step the rotator applies. {@code keyId} is null for CREATE (the applier makes the key);
 * {@code activeNow} says whether a created key starts ACTIVE (bootstrap, emergency) or PENDING.
 * Every op carries the reason, which is logged and audited.
 */
public record Op(Kind kind, String keyId, boolean activeNow, boolean early, String reason) {
  /** MARK_EARLY: an operator asked that this pending key activate as soon as it is safe. */
  public enum Kind {
    CREATE,
    ACTIVATE,
    EXPIRE,
    REVOKE,
    DELETE,
    MARK_EARLY
  }

  static Op create(boolean activeNow, boolean early, String reason) {
    return new Op(Kind.CREATE, null, activeNow, early, reason);
  }

  static Op on(Kind kind, String keyId, String reason) {
    return new Op(kind, keyId, false, false, reason);
  }

  @Override
  public String toString() {
    return kind
        + (keyId == null ? (activeNow ? " (active)" : " (pending)") : " " + keyId)
        + ": "
        + reason;
  }
}
