package org.keydir.chaos;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The journal's facts about one device, condensed for the end checks: per one-time key, per
 * fallback upload, the resets and the claims whose outcome is unknown. All methods are atomic.
 */
final class DeviceLedger {
  record FallbackUpload(int number, Outcome outcome, long sentMs, long endMs) {}

  final ChaosDevice device;
  private final List<KeyFacts> keys = new ArrayList<>();
  private final List<FallbackUpload> fallbackUploads = new ArrayList<>();
  private final BitSet fallbacksThatMayExist = new BitSet();
  private final BitSet fallbacksHandedOut = new BitSet();
  private final List<Long> unknownClaimsSentMs = new ArrayList<>();
  private long lastOkAllResetSentMs = Long.MIN_VALUE;
  private int okResets;
  private int unknownResets;
  private long fallbackHandOuts;

  DeviceLedger(ChaosDevice device) {
    this.device = device;
  }

  private KeyFacts facts(int n) {
    while (keys.size() <= n) keys.add(new KeyFacts());
    return keys.get(n);
  }

  synchronized KeyFacts key(int n) {
    return n < keys.size() ? keys.get(n) : null;
  }

  synchronized int keyCount() {
    return keys.size();
  }

  synchronized void uploadAttempt(int first, int count, Exchange ex) {
    for (int n = first; n < first + count; n++) {
      KeyFacts k = facts(n);
      k.attempts++;
      k.firstSentMs = Math.min(k.firstSentMs, ex.startMs());
      if (ex.ok()) {
        k.okAttempts++;
        k.lastOkEndMs = Math.max(k.lastOkEndMs, ex.endMs());
      } else if (ex.outcome().unknown()) {
        k.unknownAttempts++;
      }
    }
  }

  /**
   * Records a hand-out; returns the journal sequence of an earlier hand-out of the same key, or -1.
   */
  synchronized long handedOut(int n, Exchange ex, long seq) {
    KeyFacts k = facts(n);
    long earlier = k.handedOutSeq;
    if (k.handedOut++ == 0) {
      k.handedOutSeq = seq;
      k.handedOutEndMs = ex.endMs();
    }
    return earlier;
  }

  synchronized void fallbackUpload(int number, Exchange ex) {
    fallbackUploads.add(new FallbackUpload(number, ex.outcome(), ex.startMs(), ex.endMs()));
    if (ex.ok() || ex.outcome().unknown()) fallbacksThatMayExist.set(number);
  }

  synchronized void fallbackHandedOut(int number) {
    fallbackHandOuts++;
    fallbacksHandedOut.set(number);
  }

  /** Fallback keys handed out whose upload never succeeded nor had an unknown outcome. */
  synchronized BitSet fallbacksHandedOutButNeverUploaded() {
    BitSet out = (BitSet) fallbacksHandedOut.clone();
    out.andNot(fallbacksThatMayExist);
    return out;
  }

  synchronized void claimWithUnknownOutcome(Exchange ex) {
    unknownClaimsSentMs.add(ex.startMs());
  }

  synchronized void reset(List<Integer> namedKeys, Exchange ex) {
    if (ex.ok()) {
      okResets++;
      if (namedKeys == null) lastOkAllResetSentMs = Math.max(lastOkAllResetSentMs, ex.startMs());
      else
        namedKeys.forEach(
            n ->
                facts(n).lastOkIdResetSentMs =
                    Math.max(facts(n).lastOkIdResetSentMs, ex.startMs()));
    } else if (ex.outcome().unknown()) {
      unknownResets++;
    }
  }

  synchronized List<FallbackUpload> fallbackUploads() {
    return List.copyOf(fallbackUploads);
  }

  synchronized List<Long> unknownClaimsSentMs() {
    return List.copyOf(unknownClaimsSentMs);
  }

  synchronized long lastOkAllResetSentMs() {
    return lastOkAllResetSentMs;
  }

  synchronized int okResets() {
    return okResets;
  }

  synchronized int unknownResets() {
    return unknownResets;
  }

  synchronized long fallbackHandOuts() {
    return fallbackHandOuts;
  }
}
