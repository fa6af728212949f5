package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;

/**
 * An uploaded {@code device_keys} object, checked for shape (spec "Uploading keys": DeviceKeys).
 */
public record DeviceKeys(
    JsonNode json, String userId, String deviceId, String ed25519, String curve25519) {

  public static DeviceKeys parse(JsonNode node) {
    if (!node.isObject()) throw KeydirException.badJson("'device_keys' must be an object");
    String userId = JsonFields.requiredString(node, "user_id");
    String deviceId = JsonFields.requiredString(node, "device_id");
    JsonNode algorithms = node.get("algorithms");
    if (algorithms == null || !algorithms.isArray())
      throw KeydirException.badJson("'device_keys.algorithms' must be an array");
    algorithms.forEach(
        a -> {
          if (!a.isTextual())
            throw KeydirException.badJson("'device_keys.algorithms' must hold strings");
        });
    JsonNode keys = node.get("keys");
    if (keys == null || !keys.isObject())
      throw KeydirException.badJson("'device_keys.keys' must be an object");
    keys.properties()
        .forEach(
            e -> {
              KeyId.parse(e.getKey());
              if (!e.getValue().isTextual())
                throw KeydirException.badJson("'device_keys.keys.%s' must be a string", e.getKey());
            });
    JsonNode signatures = node.get("signatures");
    if (signatures == null || !signatures.isObject()) {
      throw KeydirException.badJson("'device_keys.signatures' must be an object");
    }
    String ed25519 = requiredKey(keys, "ed25519:" + deviceId);
    String curve25519 = requiredKey(keys, "curve25519:" + deviceId);
    try {
      CanonicalJson.encode(node);
    } catch (CanonicalJsonException e) {
      throw KeydirException.badJson(
          "'device_keys' is not valid canonical JSON: %s", e.getMessage());
    }
    return new DeviceKeys(node, userId, deviceId, ed25519, curve25519);
  }

  private static String requiredKey(JsonNode keys, String id) {
    JsonNode v = keys.get(id);
    if (v == null)
      throw KeydirException.of(
          KeydirException.Kind.MISSING_PARAM, "'device_keys.keys' must hold '%s'", id);
    return v.textValue();
  }

  public String jsonText() {
    return json.toString();
  }
}
