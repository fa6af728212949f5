package org.keydir.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.keydir.crypto.DeviceSigner;

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
  private final DeviceSigner identity;

  public SigningDevice(String userId, String deviceId, String token) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.token = token;
    this.identity = new DeviceSigner(userId, deviceId, RANDOM);
  }

  public SigningDevice(TestKeydir.Device d) {
    this(d.userId(), d.deviceId(), d.token());
  }

  public String ed25519() {
    return identity.ed25519();
  }

  public byte[] publicKey() {
    return identity.publicKey();
  }

  public ObjectNode deviceKeys() {
    return identity.deviceKeys();
  }

  /** A signed_curve25519 key object with a fresh random key. */
  public ObjectNode signedKey(boolean fallback) {
    return identity.signedKey(RANDOM, fallback);
  }

  public ObjectNode sign(ObjectNode obj) {
    return identity.sign(obj);
  }

  public boolean verifies(JsonNode obj) {
    return identity.verifies(obj);
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
    return DeviceSigner.randomKey(RANDOM);
  }
}
