package org.keydir.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Spec appendix "Signing JSON", with ed25519 signing keys. */
public final class JsonSigning {
  public static final String ED25519_PREFIX = "ed25519:";

  private JsonSigning() {}

  /**
   * "JSON is signed by encoding the JSON object without signatures or keys grouped as unsigned,
   * using the canonical encoding". Returns a copy of obj with signatures.{entity}.{keyId} set;
   * other signatures and unsigned are kept.
   *
   * @throws IllegalArgumentException if keyId is not "ed25519:…" or existing signatures are
   *     malformed
   * @throws CanonicalJsonException if obj has no canonical encoding
   */
  public static ObjectNode sign(ObjectNode obj, String entity, String keyId, byte[] seed) {
    if (!keyId.startsWith(ED25519_PREFIX))
      throw new IllegalArgumentException("not an ed25519 key id: " + keyId);
    String signature = UnpaddedBase64.encode(Ed25519.sign(seed, signingBytes(obj)));
    ObjectNode signed = obj.deepCopy();
    JsonNode signatures = signed.path("signatures");
    if (signatures.isMissingNode()) signatures = signed.putObject("signatures");
    if (!signatures.isObject()) throw new IllegalArgumentException("signatures is not an object");
    JsonNode forEntity = signatures.path(entity);
    if (forEntity.isMissingNode()) forEntity = ((ObjectNode) signatures).putObject(entity);
    if (!forEntity.isObject())
      throw new IllegalArgumentException("signatures." + entity + " is not an object");
    ((ObjectNode) forEntity).put(keyId, signature);
    return signed;
  }

  /**
   * Spec "Checking for a Signature": false if signatures.{entity}.{keyId} is missing or not a
   * string, the algorithm is not ed25519, the Base64 does not decode, the rest of the object has no
   * canonical encoding, or the signature does not verify. Never throws.
   */
  public static boolean verify(JsonNode obj, String entity, String keyId, byte[] publicKey) {
    return Ed25519.PublicKey.parse(publicKey).map(k -> verify(obj, entity, keyId, k)).orElse(false);
  }

  /**
   * As {@link #verify(JsonNode, String, String, byte[])} with a key decoded once for many objects.
   */
  public static boolean verify(
      JsonNode obj, String entity, String keyId, Ed25519.PublicKey publicKey) {
    if (obj == null || !obj.isObject() || keyId == null || !keyId.startsWith(ED25519_PREFIX))
      return false;
    JsonNode signature = obj.path("signatures").path(entity).path(keyId);
    if (!signature.isTextual()) return false;
    try {
      byte[] sig = UnpaddedBase64.decode(signature.textValue());
      return publicKey.verify(signingBytes(obj), sig);
    } catch (IllegalArgumentException | CanonicalJsonException e) {
      return false;
    }
  }

  /**
   * As {@link #verify(JsonNode, String, String, byte[])}, over signing bytes computed once by the
   * caller: an object signed by many keys is canonicalised once, not once per key.
   */
  public static boolean verify(
      JsonNode obj, byte[] signingBytes, String entity, String keyId, byte[] publicKey) {
    if (obj == null || !obj.isObject() || keyId == null || !keyId.startsWith(ED25519_PREFIX))
      return false;
    JsonNode signature = obj.path("signatures").path(entity).path(keyId);
    if (!signature.isTextual()) return false;
    try {
      return Ed25519.verify(publicKey, signingBytes, UnpaddedBase64.decode(signature.textValue()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Canonical UTF-8 of obj without its top-level signatures and unsigned members: the signed bytes.
   */
  public static byte[] signingBytes(JsonNode obj) {
    if (!obj.isObject())
      throw new CanonicalJsonException("only JSON objects are signed, got " + obj.getNodeType());
    ObjectNode stripped = ((ObjectNode) obj).objectNode();
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      if (!e.getKey().equals("signatures") && !e.getKey().equals("unsigned"))
        stripped.set(e.getKey(), e.getValue());
    }
    return CanonicalJson.encodeUtf8(stripped);
  }

  /** The Base64 public key published under keys["ed25519:…"], decoded; wrong length is rejected. */
  public static byte[] decodePublicKey(String base64) {
    byte[] key = UnpaddedBase64.decode(base64);
    if (key.length != Ed25519.PUBLIC_KEY_LENGTH)
      throw new IllegalArgumentException("ed25519 public key must be 32 bytes");
    return key;
  }
}
