package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.keydir.crypto.UnpaddedBase64;

/**
 * One simulated device. Its one-time keys are {@code signed_curve25519:K<n>} and its fallback keys
 * {@code signed_curve25519:F<n>}, numbered per device and never reused; the public key of each is
 * derived from (run, device, id), so a handed-out key can be checked without remembering it.
 */
final class ChaosDevice {
  static final String ALGORITHM = "signed_curve25519";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  final int index;
  final String userId;
  final String deviceId;
  final String token;
  private final Ed25519.KeyPair signing = Ed25519.generate(new SecureRandom());
  private final String curve25519 = UnpaddedBase64.encode(new SecureRandom().generateSeed(32));
  private final byte[] salt;
  private final AtomicInteger nextKey = new AtomicInteger();
  private final AtomicInteger nextFallback = new AtomicInteger();

  /** The last one-time key count keydir reported for this device (clients top up from it). */
  volatile int knownCount;

  ChaosDevice(int index, String userId, String deviceId, String token, String runId) {
    this.index = index;
    this.userId = userId;
    this.deviceId = deviceId;
    this.token = token;
    this.salt = (runId + "/" + userId + "/" + deviceId + "/").getBytes(StandardCharsets.UTF_8);
  }

  String label() {
    return userId + "/" + deviceId;
  }

  /** Reserves {@code n} new one-time key numbers; returns the first. */
  int allocateKeys(int n) {
    return nextKey.getAndAdd(n);
  }

  int allocatedKeys() {
    return nextKey.get();
  }

  int allocateFallback() {
    return nextFallback.getAndIncrement();
  }

  int allocatedFallbacks() {
    return nextFallback.get();
  }

  static String keyId(int n) {
    return ALGORITHM + ":K" + n;
  }

  static String fallbackId(int n) {
    return ALGORITHM + ":F" + n;
  }

  /** The public key this device publishes under an id ("K12", "F3"). */
  String publicKey(String shortId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      return UnpaddedBase64.encode(sha.digest(shortId.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  ObjectNode deviceKeys() {
    ObjectNode dk = F.objectNode().put("user_id", userId).put("device_id", deviceId);
    dk.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
    dk.putObject("keys")
        .put("curve25519:" + deviceId, curve25519)
        .put("ed25519:" + deviceId, ed25519());
    return sign(dk);
  }

  String ed25519() {
    return signing.publicKeyBase64();
  }

  ObjectNode signedKey(String shortId, boolean fallback) {
    ObjectNode k = F.objectNode().put("key", publicKey(shortId));
    if (fallback) k.put("fallback", true);
    return sign(k);
  }

  private ObjectNode sign(ObjectNode obj) {
    return JsonSigning.sign(obj, userId, "ed25519:" + deviceId, signing.seed());
  }

  /** A key as handed out: our key for that id, signed by us, flagged as fallback iff it is one. */
  boolean isOurs(String shortId, JsonNode key, boolean fallback) {
    return key.isObject()
        && publicKey(shortId).equals(key.path("key").asText(null))
        && key.path("fallback").asBoolean(false) == fallback
        && JsonSigning.verify(key, userId, "ed25519:" + deviceId, signing.publicKey());
  }
}
