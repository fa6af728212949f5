package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.keydir.crypto.DeviceSigner;

/**
 * A bench device's key material: its ed25519 identity, its self-signed device keys, a fallback key,
 * and a pool of signed {@code signed_curve25519} one-time key objects.
 *
 * <p>One-time key number {@code n} is uploaded with pool object {@code n % poolSize}. A signature
 * covers the key object, not its id, so each upload is properly signed while the bench signs
 * nothing during a measured run (signing 100 keys per request would put the client on the CPU the
 * server needs); the server still verifies every signature it is sent. Claims are checked against
 * the pool: key id {@code n} must come back as exactly pool object {@code n % poolSize}.
 */
public final class SignedKeys {
  public static final String ALGORITHM = "signed_curve25519";

  private final DeviceSigner identity;
  private final ObjectNode[] pool;
  private final String[] poolJson;
  private final ObjectNode fallback;

  private SignedKeys(String userId, String deviceId, SecureRandom random, int poolSize) {
    this.identity = new DeviceSigner(userId, deviceId, random);
    this.pool = new ObjectNode[poolSize];
    this.poolJson = new String[poolSize];
    for (int i = 0; i < poolSize; i++) {
      pool[i] = identity.signedKey(random, false);
      poolJson[i] = pool[i].toString();
    }
    this.fallback = identity.signedKey(random, true);
  }

  public static SignedKeys generate(
      String userId, String deviceId, SecureRandom random, int poolSize) {
    return new SignedKeys(userId, deviceId, random, poolSize);
  }

  public String ed25519() {
    return identity.ed25519();
  }

  /** Self-signed device keys (spec "Device keys"). */
  public ObjectNode deviceKeys() {
    return identity.deviceKeys();
  }

  /** The signed fallback key object ({@code "fallback": true}, MSC2732). */
  public ObjectNode fallbackKey() {
    return fallback;
  }

  /** One-time key number {@code n} as JSON text. */
  public String oneTimeKeyJson(long n) {
    return poolJson[(int) (n % pool.length)];
  }

  /** True when a claimed key object is exactly what was uploaded as key number {@code n}. */
  public boolean isOneTimeKey(long n, JsonNode claimed) {
    return pool[(int) (n % pool.length)].equals(claimed);
  }

  /** True when a claimed key object is the device's fallback key. */
  public boolean isFallbackKey(JsonNode claimed) {
    return fallback.equals(claimed) || claimed.path("fallback").asBoolean(false);
  }
}
