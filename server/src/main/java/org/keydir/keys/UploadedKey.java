package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;

/**
 * A one-time or fallback key from an upload: its id, its value (an object for signed algorithms
 * such as {@code signed_curve25519}, a plain string for unsigned ones such as {@code curve25519})
 * and its position within the upload, which orders claims after upload time.
 */
public record UploadedKey(KeyId keyId, JsonNode value, int position) {
  public UploadedKey {
    if (!value.isObject() && !value.isTextual()) {
      throw KeydirException.badJson("key %s must be an object or a string", keyId);
    }
    if (keyId.algorithm().startsWith("signed_") && !value.isObject()) {
      throw KeydirException.badJson("key %s of a signed algorithm must be an object", keyId);
    }
    if (value.isObject() && !value.path("key").isTextual()) {
      throw KeydirException.badJson("key %s must have a string 'key'", keyId);
    }
    if (value.isObject() && value.has("signatures") && !value.get("signatures").isObject()) {
      throw KeydirException.badJson("key %s: 'signatures' must be an object", keyId);
    }
    try {
      CanonicalJson.requireEncodable(value); // floats, huge numbers: not storable
    } catch (CanonicalJsonException e) {
      throw KeydirException.badJson(
          "key %s is not valid canonical JSON: %s", keyId, e.getMessage());
    }
  }

  public boolean signed() {
    return value.isObject();
  }

  /** The JSON text to store: the client's members in the client's order. */
  public String json() {
    return value.toString();
  }

  /**
   * Two uploads of one id are the same key when their canonical JSON, signatures set aside, is
   * equal.
   */
  public boolean sameKeyAs(String storedJson) {
    return Arrays.equals(comparable(value), comparable(CanonicalJson.parse(storedJson)));
  }

  private static byte[] comparable(JsonNode node) {
    if (!node.isObject()) return CanonicalJson.encodeUtf8(node);
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove("signatures");
    return CanonicalJson.encodeUtf8(copy);
  }
}
