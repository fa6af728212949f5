package org.keydir.serverkeys;

/** A signing key's life: PENDING → ACTIVE → EXPIRED → (deleted); REVOKED ends any of them early. */
public enum KeyState {
  PENDING,
  ACTIVE,
  EXPIRED,
  REVOKED
}
