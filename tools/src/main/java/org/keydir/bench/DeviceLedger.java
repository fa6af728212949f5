package org.keydir.bench;

import java.util.HashSet;
import java.util.Set;

/**
 * What the bench knows about one device's one-time keys, so that every claim it sends can be
 * judged: how many keys the server confirmed storing, how many were handed out, which ones, and
 * which claims are still in flight. A claim is only sent after {@link #reserveClaim()} found a key
 * that no other claim counts on; so a claim that comes back without a one-time key came back empty
 * while the device still had one. Thread-safe.
 */
public final class DeviceLedger {
  private long nextKey; // key numbers [0, nextKey) have been put into upload requests
  private long confirmed; // keys in uploads the server answered with 2xx
  private long pendingUpload; // keys in uploads not answered yet
  private long claimed; // keys handed out (including ones a failed claim may have taken)
  private int reserved; // claims sent (or about to be), not answered yet
  private boolean uncertain; // a failed request or a server error: our count may be off
  private final Set<Long> handedOut = new HashSet<>();

  /** Key ids the bench uploads: "b" + the key number in base 36. */
  public static String keyId(long n) {
    return "b" + Long.toString(n, 36);
  }

  /** The key number of an id the bench made, or -1. */
  public static long keyNumber(String id) {
    if (id.length() < 2 || id.charAt(0) != 'b') return -1;
    try {
      return Long.parseLong(id.substring(1), 36);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Keys stored and not handed out, as far as the bench knows (in-flight claims included). */
  public synchronized long stock() {
    return confirmed - claimed;
  }

  /** Keys that a new claim may count on. */
  public synchronized long available() {
    return confirmed - claimed - reserved;
  }

  public synchronized boolean uncertain() {
    return uncertain;
  }

  public synchronized long claimedCount() {
    return claimed;
  }

  public synchronized long confirmedCount() {
    return confirmed;
  }

  /** Takes one key for a claim about to be sent; false if none is left for it. */
  public synchronized boolean reserveClaim() {
    if (confirmed - claimed - reserved <= 0) return false;
    reserved++;
    return true;
  }

  /** Gives back a reservation whose claim was never sent. */
  public synchronized void cancelClaim() {
    reserved--;
  }

  /**
   * The answer to a reserved claim: the key number handed out (-1 if none or not ours). Returns
   * false if that key was handed out before (a double hand-out).
   */
  synchronized boolean claimAnswered(long keyNumber, boolean isOurKey) {
    reserved--;
    if (!isOurKey) {
      uncertain = true;
      return true;
    }
    claimed++;
    if (!handedOut.add(keyNumber)) {
      claimed--; // the server handed out an old key; the reserved one is still stored
      uncertain = true;
      return false;
    }
    return true;
  }

  /** A reserved claim came back without a one-time key (nothing, or the fallback key). */
  synchronized void claimCameBackEmpty() {
    reserved--;
    uncertain = true; // the server says it has no key where we count one
  }

  /** A reserved claim failed (status or transport): the key may have been taken; count it taken. */
  synchronized void claimFailed() {
    reserved--;
    claimed++;
    uncertain = true;
  }

  /** True if key number {@code n} was put into an upload request. */
  public synchronized boolean wasUploaded(long n) {
    return n >= 0 && n < nextKey;
  }

  /**
   * An upload about to be sent: its keys are numbered {@code first ..}; {@code claimedBefore} is
   * how many keys had been handed out when it was sent (for judging the count in its answer).
   */
  public record UploadTicket(long first, int count, long claimedBefore) {}

  /**
   * Numbers {@code n} fresh keys for an upload and marks it pending, or returns null when the
   * device has an upload in flight or would hold more than {@code maxStock} keys.
   */
  public synchronized UploadTicket reserveUpload(int n, long maxStock) {
    if (pendingUpload > 0 || confirmed - claimed + n > maxStock) return null;
    UploadTicket t = new UploadTicket(nextKey, n, claimed);
    nextKey += n;
    pendingUpload += n;
    return t;
  }

  /** The server answered an upload of {@code n} keys. */
  public synchronized void uploadAnswered(int n, boolean stored) {
    pendingUpload -= n;
    if (stored) confirmed += n;
    else uncertain = true;
  }

  /**
   * Does the count of available one-time keys in the answer to an upload agree with ours (call
   * after {@link #uploadAnswered})? Claims racing the upload may or may not be in it: at most the
   * keys handed out before it was sent are missing, at least every claim sent by now may be.
   */
  public synchronized boolean countAgrees(long serverCount, UploadTicket upload) {
    if (uncertain) return true;
    return serverCount <= confirmed - upload.claimedBefore()
        && serverCount >= confirmed - claimed - reserved;
  }

  /** With nothing in flight, the server's count must equal the stock exactly. */
  public synchronized boolean countEquals(long serverCount) {
    return reserved == 0 && pendingUpload == 0 && serverCount == confirmed - claimed;
  }
}
