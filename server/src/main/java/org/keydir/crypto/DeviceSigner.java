package org.keydir.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;

/**
 * A client device's identity as a Matrix client makes it: an ed25519 signing key and a curve25519
 * key, self-signed device keys (spec "Device keys") and signed one-time and fallback keys. keydir
 * itself never signs for a device; this is the one kit its load generator ({@code tools/}) and its
 * tests share to act as clients.
 */
public final class DeviceSigner {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final String userId;
  private final String deviceId;
  private final Ed25519.KeyPair identity;
  private final String curve25519;

  public DeviceSigner(String userId, String deviceId, SecureRandom random) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.identity = Ed25519.generate(random);
    this.curve25519 = randomKey(random);
  }

  public String userId() {
    return userId;
  }

  public String deviceId() {
    return deviceId;
  }

  /** The ed25519 public key, unpadded base64. */
  public String ed25519() {
    return identity.publicKeyBase64();
  }

  public byte[] publicKey() {
    return identity.publicKey();
  }

  /** Self-signed device keys with the Olm and Megolm algorithms. */
  public ObjectNode deviceKeys() {
    ObjectNode dk = F.objectNode();
    dk.put("user_id", userId).put("device_id", deviceId);
    dk.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
    dk.putObject("keys")
        .put("curve25519:" + deviceId, curve25519)
        .put("ed25519:" + deviceId, ed25519());
    return sign(dk);
  }

  /** A signed_curve25519 key object with a fresh random key ({@code "fallback": true}: MSC2732). */
  public ObjectNode signedKey(SecureRandom random, boolean fallback) {
    ObjectNode k = F.objectNode().put("key", randomKey(random));
    if (fallback) k.put("fallback", true);
    return sign(k);
  }

  /** {@code obj} with this device's signature added (spec "Signing JSON"). */
  public ObjectNode sign(ObjectNode obj) {
    return JsonSigning.sign(obj, userId, "ed25519:" + deviceId, identity.seed());
  }

  public boolean verifies(JsonNode obj) {
    return JsonSigning.verify(obj, userId, "ed25519:" + deviceId, identity.publicKey());
  }

  /** 32 random bytes, unpadded base64: the shape of a curve25519 public key. */
  public static String randomKey(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return UnpaddedBase64.encode(b);
  }
}
