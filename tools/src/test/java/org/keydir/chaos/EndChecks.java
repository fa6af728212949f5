package org.keydir.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The end checks, from the journal (condensed in the ledgers) and the database, once quiet. For
 * every one-time key a client ever sent, with "may exist" meaning some upload of it was answered
 * 200 or ended with unknown outcome:
 *
 * <ol>
 *   <li>handed out at most once (checked as each claim is answered);
 *   <li>handed out ⇒ it may exist, and the database holds its tombstone (not the key, not nothing),
 *       and no reset deleted it — unless an upload of it may have been written after that reset (a
 *       retried or late upload may store a reset id again);
 *   <li>a tombstone nobody was handed ⇒ a claim for that device whose answer was lost explains it:
 *       sorted by time, the k-th such tombstone has at least k lost claims sent before it (1 s
 *       slack);
 *   <li>still stored ⇒ it may exist, was not handed out, was not deleted by a reset (same
 *       exception), and no reset covering it (all, or naming it) was answered 200 after it was last
 *       answered 200, if no upload of it had unknown outcome;
 *   <li>absent ⇒ if an upload of it was answered 200, a reset deleted it: its id is in an audit
 *       row's deleted_key_ids, or (for the part beyond the 100 ids an audit row lists) the counts
 *       cover it;
 *   <li>every id a reset deleted may exist; the device's reset audit rows number between the resets
 *       answered 200 and those plus the resets with unknown outcome;
 *   <li>the device's fallback key is one it uploaded, with its content, and no other fallback
 *       upload answered 200 was sent after every upload of the stored one had ended (the latest is
 *       kept); every fallback key handed out was uploaded;
 * </ol>
 *
 * The status rules (every 5xx) are {@link ServerErrors}'.
 */
final class EndChecks {
  private static final long TOMBSTONE_SLACK_MS = 1000;

  static final class Tally {
    long keysSent;
    long keysOk;
    long keysUnknownOnly;
    long handedOut;
    long tombstones;
    long unseenTombstones;
    long claimsWithUnknownOutcome;
    long deletedByResets;
    long stored;
    long absentNeverCommitted;
    long fallbackHandOuts;
    long auditResetRows;
  }

  private final World world;
  private final DbSnapshot db;
  private final Violations v;
  final Tally tally = new Tally();

  EndChecks(World world, DbSnapshot db) {
    this.world = world;
    this.db = db;
    this.v = world.violations();
  }

  Tally run() {
    for (ChaosDevice d : world.devices()) {
      device(d, world.ledger(d), db.keys(d));
      fallback(d, world.ledger(d));
    }
    return tally;
  }

  private void device(ChaosDevice d, DeviceLedger ledger, DbSnapshot.Keys rows) {
    rows.anomalies.forEach(a -> v.add("a one_time_keys row that cannot be", d.label() + ": " + a));
    Map<Integer, Long> lastDeleted = new HashMap<>();
    long unlisted = resets(d, ledger, lastDeleted);
    List<Long> unseen = new ArrayList<>();
    long lostCandidates = 0;
    List<String> lostExamples = new ArrayList<>();
    int top = Math.max(ledger.keyCount(), rows.size());
    synchronized (ledger) {
      for (int n = 0; n < top; n++) {
        KeyFacts k = ledger.key(n);
        if (k == null) k = new KeyFacts();
        byte state = rows.state(n);
        Long deletedAt = lastDeleted.get(n);
        boolean reStoredAfterReset = deletedAt != null && k.mayHaveBeenWrittenAfter(deletedAt);
        String id = d.label() + " " + ChaosDevice.keyId(n);
        if (k.attempts > 0) tally.keysSent++;
        if (k.okAttempts > 0) tally.keysOk++;
        else if (k.unknownAttempts > 0) tally.keysUnknownOnly++;
        if (state == DbSnapshot.TOMBSTONE) tally.tombstones++;
        if (state == DbSnapshot.STORED) tally.stored++;
        if (k.handedOut > 0) {
          tally.handedOut++;
          if (!k.mayExist()) v.add("a key was handed out although no upload of it succeeded", id);
          if (state == DbSnapshot.STORED) v.add("a key was handed out and is still stored", id);
          if (state == DbSnapshot.ABSENT)
            v.add("a key was handed out but its tombstone is gone", id);
          if (deletedAt != null && !reStoredAfterReset)
            v.add("a key was both handed out and deleted by a reset", id);
          continue;
        }
        switch (state) {
          case DbSnapshot.TOMBSTONE -> {
            if (!k.mayExist())
              v.add("a key is claimed in the database although no upload of it succeeded", id);
            unseen.add(rows.claimedTs[n]);
          }
          case DbSnapshot.STORED -> {
            if (!k.mayExist()) v.add("a key is stored although no upload of it succeeded", id);
            if (deletedAt != null && !reStoredAfterReset)
              v.add("a key deleted by a reset is stored again", id);
            long resetAfter = Math.max(k.lastOkIdResetSentMs, ledger.lastOkAllResetSentMs());
            if (k.okAttempts > 0 && k.unknownAttempts == 0 && resetAfter > k.lastOkEndMs) {
              v.add(
                  "a key is still stored although a reset covering it was answered 200 after its upload",
                  id);
            }
          }
          default -> {
            if (k.okAttempts > 0 && deletedAt == null) {
              lostCandidates++;
              if (lostExamples.size() < 5) lostExamples.add(id);
            }
            if (k.okAttempts == 0 && k.unknownAttempts == 0 && k.attempts > 0)
              tally.absentNeverCommitted++;
          }
        }
      }
    }
    if (lostCandidates > unlisted) {
      v.add(
          "a key answered 200 on upload is neither handed out, stored, nor deleted by a reset (lost)",
          d.label()
              + ": "
              + lostCandidates
              + " keys, "
              + unlisted
              + " deletions unlisted in audit rows; e.g. "
              + lostExamples);
    }
    unseenTombstones(d, ledger, unseen);
  }

  /**
   * Reads the device's reset audit rows; fills the last deletion time per key; returns deletions
   * beyond the listed ids.
   */
  private long resets(ChaosDevice d, DeviceLedger ledger, Map<Integer, Long> lastDeleted) {
    long unlisted = 0;
    List<DbSnapshot.ResetRow> rows = db.resets(d);
    tally.auditResetRows += rows.size();
    for (DbSnapshot.ResetRow r : rows) {
      tally.deletedByResets += Math.max(0, r.deleted());
      unlisted += Math.max(0, r.deleted() - r.deletedIds().size());
      for (String id : r.deletedIds()) {
        int n = World.number(id, 'K');
        KeyFacts k = n < 0 ? null : ledger.key(n);
        if (k == null || !k.mayExist()) {
          v.add("a reset deleted a key no successful upload stored", d.label() + " " + id);
          continue;
        }
        lastDeleted.merge(n, r.ts(), Math::max);
      }
    }
    int ok = ledger.okResets();
    int unknown = ledger.unknownResets();
    if (rows.size() < ok || rows.size() > ok + unknown) {
      v.add(
          "reset audit rows do not match the resets the clients made",
          d.label()
              + ": "
              + rows.size()
              + " rows, "
              + ok
              + " resets answered 200, "
              + unknown
              + " with unknown outcome");
    }
    return unlisted;
  }

  /**
   * Hall's condition: the k-th unseen tombstone (by claimed_ts) needs k lost claims sent before it.
   */
  private void unseenTombstones(ChaosDevice d, DeviceLedger ledger, List<Long> unseen) {
    List<Long> lost = new ArrayList<>(ledger.unknownClaimsSentMs());
    tally.unseenTombstones += unseen.size();
    tally.claimsWithUnknownOutcome += lost.size();
    Collections.sort(unseen);
    Collections.sort(lost);
    int available = 0;
    for (int i = 0; i < unseen.size(); i++) {
      long t = unseen.get(i);
      while (available < lost.size() && lost.get(available) <= t + TOMBSTONE_SLACK_MS) available++;
      if (available < i + 1) {
        v.add(
            "a claimed key no client was handed, with no claim of unknown outcome to explain it",
            d.label()
                + ": "
                + unseen.size()
                + " unseen tombstones, "
                + lost.size()
                + " lost claims; the "
                + (i + 1)
                + "-th (claimed_ts "
                + t
                + ") has only "
                + available
                + " lost claims before it");
        return;
      }
    }
  }

  private void fallback(ChaosDevice d, DeviceLedger ledger) {
    tally.fallbackHandOuts += ledger.fallbackHandOuts();
    ledger.fallbacksHandedOutButNeverUploaded().stream()
        .forEach(
            f ->
                v.add(
                    "a fallback key was handed out although no upload of it succeeded",
                    d.label() + " F" + f));
    DbSnapshot.Fallback stored = db.fallbacks.get(d.label());
    List<DeviceLedger.FallbackUpload> uploads = ledger.fallbackUploads();
    if (stored == null) {
      if (uploads.stream().anyMatch(u -> u.outcome() == Outcome.OK))
        v.add("a fallback key was lost", d.label());
      return;
    }
    int m = World.number(stored.keyId(), 'F');
    if (m < 0 || !d.publicKey("F" + m).equals(stored.publicKey())) {
      v.add(
          "the stored fallback key is not one the device uploaded",
          d.label() + " " + stored.keyId());
      return;
    }
    long storedLastEnd = Long.MIN_VALUE;
    boolean storedMayExist = false;
    for (DeviceLedger.FallbackUpload u : uploads) {
      if (u.number() != m) continue;
      if (u.outcome().unknown()) storedLastEnd = Long.MAX_VALUE;
      if (u.outcome() == Outcome.OK) storedLastEnd = Math.max(storedLastEnd, u.endMs());
      storedMayExist |= u.outcome().unknown() || u.outcome() == Outcome.OK;
    }
    if (!storedMayExist)
      v.add("the stored fallback key was never successfully uploaded", d.label() + " F" + m);
    for (DeviceLedger.FallbackUpload u : uploads) {
      if (u.outcome() == Outcome.OK && u.number() != m && u.sentMs() > storedLastEnd) {
        v.add(
            "a newer fallback key answered 200 was lost (an older one is stored)",
            d.label() + ": stored F" + m + ", but F" + u.number() + " was uploaded later");
        return;
      }
    }
  }
}
