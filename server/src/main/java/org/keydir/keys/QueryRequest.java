package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keydir.auth.MatrixIds;

/**
 * {@code POST /keys/query}: {@code {"device_keys": {user: [device, …] (empty = all)}, "timeout":
 * ms}}.
 */
public record QueryRequest(Map<String, List<String>> devicesByUser, long timeoutMs) {
  public static QueryRequest fromJson(JsonNode body) {
    JsonNode users = body.get("device_keys");
    if (users == null || !users.isObject())
      throw KeydirException.badJson("'device_keys' must be an object");
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> user : users.properties()) {
      if (!MatrixIds.isUserId(user.getKey())) {
        throw KeydirException.invalidParam(
            "'%s' is not a valid user id", KeyId.abbreviate(user.getKey()));
      }
      if (!user.getValue().isArray())
        throw KeydirException.badJson("device_keys.%s must be an array", user.getKey());
      List<String> devices = new ArrayList<>();
      user.getValue()
          .forEach(
              d -> {
                if (!d.isTextual())
                  throw KeydirException.badJson(
                      "device_keys.%s must hold device ids", user.getKey());
                if (MatrixIds.isDeviceId(d.textValue()))
                  devices.add(d.textValue()); // others name no device
              });
      // a user asked only for devices that cannot exist gets nothing, not every device
      if (devices.isEmpty() && user.getValue().size() > 0) continue;
      byUser.put(user.getKey(), devices);
    }
    return new QueryRequest(byUser, Timeouts.parse(body, 10_000));
  }
}
