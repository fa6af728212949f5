package org.keydir.chaos;

/** What the clients know about one one-time key. Guarded by its {@link DeviceLedger}. */
final class KeyFacts {
  int attempts;
  int okAttempts;
  int unknownAttempts;
  long firstSentMs = Long.MAX_VALUE;

  /** End of the latest upload attempt answered 200. */
  long lastOkEndMs = Long.MIN_VALUE;

  int handedOut;
  long handedOutEndMs;
  long handedOutSeq = -1;

  /** Start of the latest key_ids reset naming this key that was answered 200. */
  long lastOkIdResetSentMs = Long.MIN_VALUE;

  /** Some upload of it may have been committed. */
  boolean mayExist() {
    return okAttempts + unknownAttempts > 0;
  }

  /**
   * Some upload of it may have been committed at or after {@code ms}: one with unknown outcome (it
   * may commit any time), or one answered 200 at or after {@code ms}.
   */
  boolean mayHaveBeenWrittenAfter(long ms) {
    return unknownAttempts > 0 || lastOkEndMs >= ms;
  }
}
