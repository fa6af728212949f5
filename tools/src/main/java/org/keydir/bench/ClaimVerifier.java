package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Judges the answer to a claim whose every device had a key reserved in its {@link DeviceLedger}:
 * each device must get one of the one-time keys the bench uploaded for it, exactly as uploaded, and
 * never one it got before.
 */
final class ClaimVerifier {
  /** What one device's part of a claim answer was. */
  enum Verdict {
    /** A one-time key the bench uploaded for that device, first time handed out. */
    ONE_TIME_KEY,
    /** A key handed out before: the one thing a key directory must never do. */
    DUPLICATE,
    /** A key id the bench never uploaded for that device. */
    UNKNOWN_KEY,
    /** A key id the bench uploaded, with other content. */
    WRONG_CONTENT,
    /** The fallback key, although the device had a one-time key left. */
    FALLBACK,
    /** Nothing, although the device had a one-time key left. */
    EMPTY
  }

  private ClaimVerifier() {}

  /** Judges a whole claim answer and records keys and problems; every reservation is settled. */
  static void judge(String op, List<BenchDevice> devices, BenchHttp.Reply reply, LevelStats stats) {
    JsonNode body = reply.ok() ? Json.parse(reply.body()) : null;
    if (body == null) {
      if (reply.ok()) stats.verificationError(LevelStats.BAD_BODY);
      devices.forEach(d -> d.ledger().claimFailed());
      return;
    }
    JsonNode keys = body.path("one_time_keys");
    int claimed = 0;
    for (BenchDevice d : devices) {
      Verdict v = verdict(d, keys.path(d.userId()).path(d.deviceId()));
      switch (v) {
        case ONE_TIME_KEY -> claimed++;
        case DUPLICATE -> stats.verificationError(LevelStats.DUPLICATE_KEY);
        case UNKNOWN_KEY -> stats.verificationError(LevelStats.UNKNOWN_KEY);
        case WRONG_CONTENT -> stats.verificationError(LevelStats.WRONG_CONTENT);
        case FALLBACK -> stats.emptyClaim(true);
        case EMPTY -> stats.emptyClaim(false);
      }
    }
    stats.keys(op, claimed);
  }

  /**
   * Judges one device's part of a claim answer ({@code {"signed_curve25519:<id>": {…}}} or missing)
   * and settles its reservation in the device's ledger.
   */
  static Verdict verdict(BenchDevice d, JsonNode answer) {
    DeviceLedger ledger = d.ledger();
    Iterator<Map.Entry<String, JsonNode>> entries = answer.isObject() ? answer.fields() : null;
    if (entries == null || !entries.hasNext()) {
      ledger.claimCameBackEmpty();
      return Verdict.EMPTY;
    }
    Map.Entry<String, JsonNode> key = entries.next();
    if (d.keys().isFallbackKey(key.getValue())) {
      ledger.claimCameBackEmpty();
      return Verdict.FALLBACK;
    }
    String prefix = SignedKeys.ALGORITHM + ":";
    long n =
        key.getKey().startsWith(prefix)
            ? DeviceLedger.keyNumber(key.getKey().substring(prefix.length()))
            : -1;
    if (!ledger.wasUploaded(n)) {
      ledger.claimAnswered(-1, false);
      return Verdict.UNKNOWN_KEY;
    }
    if (!d.keys().isOneTimeKey(n, key.getValue())) {
      ledger.claimAnswered(-1, false);
      return Verdict.WRONG_CONTENT;
    }
    return ledger.claimAnswered(n, true) ? Verdict.ONE_TIME_KEY : Verdict.DUPLICATE;
  }
}
