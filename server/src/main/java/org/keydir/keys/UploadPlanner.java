package org.keydir.keys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.keydir.auth.Caller;

/**
 * The rules of {@code POST /keys/upload}, as a pure function over the request and the stored state.
 * Any rule broken throws a {@link KeydirException} before anything is written.
 */
public final class UploadPlanner {
  private UploadPlanner() {}

  public static UploadPlan plan(
      Caller caller, UploadRequest req, StoredDeviceState stored, UploadLimits limits) {
    if (req.keyCount() > limits.maxKeysPerUpload()) {
      throw KeydirException.of(
          KeydirException.Kind.KEY_LIMIT,
          "an upload may hold at most %d keys (got %d)",
          limits.maxKeysPerUpload(),
          req.keyCount());
    }
    Optional<DeviceKey> ed25519 =
        req.deviceKeys()
            .map(DeviceKeys::ed25519)
            .or(() -> stored.deviceKeys().map(StoredDeviceState.StoredDeviceKeys::ed25519))
            .map(DeviceKey::new);
    Optional<DeviceKeys> deviceKeysToWrite =
        req.deviceKeys().flatMap(dk -> checkDeviceKeys(caller, dk, stored, ed25519.orElseThrow()));
    if (req.hasSignedKeys() && ed25519.isEmpty()) {
      throw KeydirException.invalidParam(
          "this device has no ed25519 key yet, so its signed keys cannot be checked: upload device_keys first");
    }

    SignedKeyVerdicts verdicts = SignedKeyVerdicts.check(caller, req, ed25519);
    List<UploadedKey> newOneTimeKeys = new ArrayList<>();
    List<KeyId> skipped = new ArrayList<>();
    Set<KeyId> seen = new HashSet<>();
    for (UploadedKey k : req.oneTimeKeys()) {
      if (!seen.add(k.keyId()))
        throw KeydirException.invalidParam("one-time key %s appears twice", k.keyId());
      verdicts.require(caller, k, "one-time key");
      StoredDeviceState.StoredOneTimeKey old = stored.oneTimeKeys().get(k.keyId());
      if (old == null) {
        newOneTimeKeys.add(k);
      } else if (old.claimed()) {
        skipped.add(k.keyId()); // handed out once: never stored again (README "Claimed key ids")
      } else if (!k.sameKeyAs(old.json())) {
        throw KeydirException.invalidParam(
            "one-time key %s already exists with different content", k.keyId());
      }
    }
    requireRoom(stored, newOneTimeKeys, limits);
    requireFewAlgorithms(stored, req, limits);
    return new UploadPlan(
        deviceKeysToWrite, newOneTimeKeys, newFallbackKeys(caller, req, stored, verdicts), skipped);
  }

  /** Returns the device keys to write, or empty when the stored ones are the same. */
  private static Optional<DeviceKeys> checkDeviceKeys(
      Caller caller, DeviceKeys dk, StoredDeviceState stored, DeviceKey ed25519) {
    if (!dk.userId().equals(caller.userId())) {
      throw KeydirException.invalidParam(
          "device_keys.user_id %s is not the caller %s", dk.userId(), caller.userId());
    }
    if (!dk.deviceId().equals(caller.deviceId())) {
      throw KeydirException.invalidParam(
          "device_keys.device_id %s is not the caller's device %s",
          dk.deviceId(), caller.deviceId());
    }
    Signatures.requireDeviceSignature(
        dk.json(), "device_keys", caller.userId(), caller.deviceId(), ed25519.decoded());
    if (stored.deviceKeys().isEmpty()) return Optional.of(dk);
    StoredDeviceState.StoredDeviceKeys old = stored.deviceKeys().get();
    if (!old.ed25519().equals(dk.ed25519()) || !old.curve25519().equals(dk.curve25519())) {
      throw KeydirException.invalidParam(
          "device %s already has different identity keys; a device's ed25519 and curve25519 keys never change "
              + "(log in as a new device instead)",
          caller.deviceId());
    }
    return old.json().equals(dk.jsonText()) ? Optional.empty() : Optional.of(dk);
  }

  /**
   * MSC2732: one fallback key per algorithm. A different key replaces the stored one as unused; the
   * identical key (same id, same content) is kept with its used flag, as Synapse does (#11382).
   */
  private static List<UploadedKey> newFallbackKeys(
      Caller caller, UploadRequest req, StoredDeviceState stored, SignedKeyVerdicts verdicts) {
    Map<String, UploadedKey> byAlgorithm = new HashMap<>();
    List<UploadedKey> out = new ArrayList<>();
    for (UploadedKey k : req.fallbackKeys()) {
      if (byAlgorithm.put(k.keyId().algorithm(), k) != null) {
        throw KeydirException.invalidParam(
            "at most one fallback key per algorithm (got two for %s)", k.keyId().algorithm());
      }
      verdicts.require(caller, k, "fallback key");
      StoredDeviceState.StoredFallbackKey old = stored.fallbackKeys().get(k.keyId().algorithm());
      boolean identical = old != null && old.keyId().equals(k.keyId()) && k.sameKeyAs(old.json());
      if (!identical) out.add(k);
    }
    return out;
  }

  /**
   * The signatures of every signed one-time and fallback key, checked together (on all cores,
   * crypto.ManySignatures) before any rule runs; the rules then fail on the first bad key in
   * request order, as one check per key would.
   */
  private static final class SignedKeyVerdicts {
    private final Set<UploadedKey> refused =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    static SignedKeyVerdicts check(Caller caller, UploadRequest req, Optional<DeviceKey> ed25519) {
      SignedKeyVerdicts v = new SignedKeyVerdicts();
      List<UploadedKey> signed = new ArrayList<>();
      req.oneTimeKeys().stream().filter(UploadedKey::signed).forEach(signed::add);
      req.fallbackKeys().stream().filter(UploadedKey::signed).forEach(signed::add);
      if (signed.isEmpty()) return v;
      org.keydir.crypto.Ed25519.PublicKey key = ed25519.orElseThrow().decoded();
      boolean[] ok =
          key == null
              ? new boolean[signed.size()]
              : org.keydir.crypto.ManySignatures.verify(
                  signed.stream().map(UploadedKey::value).toList(),
                  caller.userId(),
                  "ed25519:" + caller.deviceId(),
                  key);
      for (int i = 0; i < ok.length; i++) if (!ok[i]) v.refused.add(signed.get(i));
      return v;
    }

    void require(Caller caller, UploadedKey k, String what) {
      if (refused.contains(k)) {
        throw Signatures.invalid(what + " " + k.keyId(), caller.userId(), caller.deviceId());
      }
    }
  }

  /**
   * The device's ed25519 key, decoded (and checked: a square root and an order check) once, when
   * the device_keys' self-signature or the first signed key needs it.
   */
  private static final class DeviceKey {
    private final String base64;
    private org.keydir.crypto.Ed25519.PublicKey decoded;
    private boolean done;

    DeviceKey(String base64) {
      this.base64 = base64;
    }

    org.keydir.crypto.Ed25519.PublicKey decoded() {
      if (!done) {
        decoded = Signatures.deviceKey(base64);
        done = true;
      }
      return decoded;
    }
  }

  /**
   * Algorithm names are free text: a device may use at most so many, one-time and fallback keys
   * together.
   */
  private static void requireFewAlgorithms(
      StoredDeviceState stored, UploadRequest req, UploadLimits limits) {
    Set<String> algorithms = new HashSet<>(stored.fallbackKeys().keySet());
    stored
        .availableCounts()
        .forEach(
            (algorithm, n) -> {
              if (n > 0) algorithms.add(algorithm);
            });
    req.oneTimeKeys().forEach(k -> algorithms.add(k.keyId().algorithm()));
    req.fallbackKeys().forEach(k -> algorithms.add(k.keyId().algorithm()));
    if (algorithms.size() > limits.maxAlgorithmsPerDevice()) {
      throw KeydirException.of(
          KeydirException.Kind.KEY_LIMIT,
          "a device may use at most %d key algorithms; this upload would make %d",
          limits.maxAlgorithmsPerDevice(),
          algorithms.size());
    }
  }

  private static void requireRoom(
      StoredDeviceState stored, List<UploadedKey> fresh, UploadLimits limits) {
    int deviceTotal =
        stored.availableCounts().values().stream().mapToInt(Integer::intValue).sum() + fresh.size();
    if (deviceTotal > limits.maxOtksPerDevice()) {
      throw KeydirException.of(
          KeydirException.Kind.KEY_LIMIT,
          "a device may store at most %d one-time keys over all algorithms; this upload would reach %d",
          limits.maxOtksPerDevice(),
          deviceTotal);
    }
    Map<String, Integer> adding = new HashMap<>();
    fresh.forEach(k -> adding.merge(k.keyId().algorithm(), 1, Integer::sum));
    adding.forEach(
        (algorithm, n) -> {
          int total = stored.available(algorithm) + n;
          if (total > limits.maxOtksPerAlgorithm()) {
            throw KeydirException.of(
                KeydirException.Kind.KEY_LIMIT,
                "a device may store at most %d one-time keys per algorithm; %s would reach %d",
                limits.maxOtksPerAlgorithm(),
                algorithm,
                total);
          }
        });
  }
}
