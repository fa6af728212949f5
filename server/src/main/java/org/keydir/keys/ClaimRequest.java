package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.keydir.auth.MatrixIds;

/**
 * {@code POST /keys/claim}: {@code {"one_time_keys": {user: {device: algorithm}}, "timeout": ms}}.
 */
public record ClaimRequest(List<DeviceAlgorithm> wanted, long timeoutMs) {
  static final long DEFAULT_TIMEOUT_MS = 10_000;

  public static ClaimRequest fromJson(JsonNode body) {
    JsonNode users = body.get("one_time_keys");
    if (users == null || !users.isObject())
      throw KeydirException.badJson("'one_time_keys' must be an object");
    List<DeviceAlgorithm> wanted = new ArrayList<>();
    for (Map.Entry<String, JsonNode> user : users.properties()) {
      if (!MatrixIds.isUserId(user.getKey())) {
        throw KeydirException.invalidParam(
            "'%s' is not a valid user id", KeyId.abbreviate(user.getKey()));
      }
      if (!user.getValue().isObject())
        throw KeydirException.badJson("one_time_keys.%s must be an object", user.getKey());
      for (Map.Entry<String, JsonNode> device : user.getValue().properties()) {
        if (!device.getValue().isTextual() || device.getValue().textValue().isEmpty()) {
          throw KeydirException.badJson(
              "one_time_keys.%s.%s must be an algorithm name", user.getKey(), device.getKey());
        }
        // A device id or algorithm keydir could never have stored names no device: omitted like any
        // unknown one.
        if (MatrixIds.isDeviceId(device.getKey())
            && KeyId.isAlgorithm(device.getValue().textValue())) {
          wanted.add(
              new DeviceAlgorithm(user.getKey(), device.getKey(), device.getValue().textValue()));
        }
      }
    }
    return new ClaimRequest(wanted, Timeouts.parse(body, DEFAULT_TIMEOUT_MS));
  }
}
