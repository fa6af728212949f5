package org.keydir.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.keydir.crypto.UnpaddedBase64;

/**
 * A client device for tests: its own ed25519 key, and properly signed device, one-time and fallback
 * keys.
 */
public final class SigningDevice {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  public final String userId;
  public final String deviceId;
  public final String token;
  private final Ed25519.KeyPair keys = Ed25519.generate(RANDOM);
  private final String curve25519 = randomKey();

  public SigningDevice(String userId, String deviceId, String token) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.token = token;
  }

  public SigningDevice(TestKeydir.Device d) {
    this(d.userId(), d.deviceId(), d.token());
  }

  public String ed25519() {
    return keys.publicKeyBase64();
  }

  public byte[] publicKey() {
    return keys.publicKey();
  }

  public ObjectNode deviceKeys() {
    ObjectNode dk = F.objectNode();
    dk.put("user_id", userId).put("device_id", deviceId);
    dk.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
    dk.putObject("keys")
        .put("curve25519:" + deviceId, curve25519)
        .put("ed25519:" + deviceId, ed25519());
    return sign(dk);
  }

  /** A signed_curve25519 key object with a fresh random key. */
  public ObjectNode signedKey(boolean fallback) {
    ObjectNode k = F.objectNode().put("key", randomKey());
    if (fallback) k.put("fallback", true);
    return sign(k);
  }

  public ObjectNode sign(ObjectNode obj) {
    return JsonSigning.sign(obj, userId, "ed25519:" + deviceId, keys.seed());
  }

  public boolean verifies(JsonNode obj) {
    return JsonSigning.verify(obj, userId, "ed25519:" + deviceId, keys.publicKey());
  }

  /**
   * An upload body: {"one_time_keys": {signed_curve25519:<id>: …}} for the given ids, in that
   * order.
   */
  public ObjectNode oneTimeKeys(String... ids) {
    ObjectNode body = F.objectNode();
    ObjectNode otks = body.putObject("one_time_keys");
    for (String id : ids) otks.set("signed_curve25519:" + id, signedKey(false));
    return body;
  }

  public static String randomKey() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return UnpaddedBase64.encode(b);
  }
}
