package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;

/** Checks that uploaded objects carry a valid signature by the device's own ed25519 key. */
final class Signatures {
  private Signatures() {}

  /** Spec "Signing JSON": signatures.{user_id}.{"ed25519:" + device_id}, over canonical JSON. */
  static void requireDeviceSignature(
      JsonNode obj, String what, String userId, String deviceId, Ed25519.PublicKey key) {
    if (key == null || !JsonSigning.verify(obj, userId, "ed25519:" + deviceId, key)) {
      throw invalid(what, userId, deviceId);
    }
  }

  static KeydirException invalid(String what, String userId, String deviceId) {
    return KeydirException.of(
        KeydirException.Kind.INVALID_SIGNATURE,
        "%s has no valid signature by %s's key ed25519:%s",
        what,
        userId,
        deviceId);
  }

  /**
   * The device's ed25519 key (unpadded base64), decoded once for all the objects of an upload; null
   * for 32 bytes that are no point on the curve (every signature by it is then invalid).
   */
  static Ed25519.PublicKey deviceKey(String ed25519) {
    byte[] raw;
    try {
      raw = JsonSigning.decodePublicKey(ed25519);
    } catch (IllegalArgumentException e) {
      throw KeydirException.invalidParam(
          "the device's ed25519 key is not a valid 32-byte unpadded base64 key");
    }
    return Ed25519.PublicKey.parse(raw).orElse(null);
  }
}
