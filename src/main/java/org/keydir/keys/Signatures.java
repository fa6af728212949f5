package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import org.keydir.crypto.JsonSigning;

/** Checks that uploaded objects carry a valid signature by the device's own ed25519 key. */
final class Signatures {
  private Signatures() {}

  /** Spec "Signing JSON": signatures.{user_id}.{"ed25519:" + device_id}, over canonical JSON. */
  static void requireDeviceSignature(JsonNode obj, String what, String userId, String deviceId, String ed25519) {
    byte[] publicKey;
    try {
      publicKey = JsonSigning.decodePublicKey(ed25519);
    } catch (IllegalArgumentException e) {
      throw KeydirException.invalidParam("the device's ed25519 key is not a valid 32-byte unpadded base64 key");
    }
    if (!JsonSigning.verify(obj, userId, "ed25519:" + deviceId, publicKey)) {
      throw KeydirException.of(KeydirException.Kind.INVALID_SIGNATURE,
          "%s has no valid signature by %s's key ed25519:%s", what, userId, deviceId);
    }
  }
}
