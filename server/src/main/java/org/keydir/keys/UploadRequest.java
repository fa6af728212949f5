package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code POST /keys/upload}, parsed for shape only; the rules are {@link UploadPlanner}'s. */
public record UploadRequest(
    Optional<DeviceKeys> deviceKeys,
    List<UploadedKey> oneTimeKeys,
    List<UploadedKey> fallbackKeys) {
  /** MSC2732's unstable name, still sent by older clients. */
  static final String UNSTABLE_FALLBACK_KEYS = "org.matrix.msc2732.fallback_keys";

  public static UploadRequest fromJson(JsonNode body) {
    Optional<DeviceKeys> deviceKeys = present(body, "device_keys").map(DeviceKeys::parse);
    List<UploadedKey> oneTimeKeys = keys(body, "one_time_keys");
    List<UploadedKey> fallbackKeys =
        body.has("fallback_keys")
            ? keys(body, "fallback_keys")
            : keys(body, UNSTABLE_FALLBACK_KEYS);
    return new UploadRequest(deviceKeys, oneTimeKeys, fallbackKeys);
  }

  /** A member that, when present, must not be null (spec: "device_keys": null is bad JSON). */
  private static Optional<JsonNode> present(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null) return Optional.empty();
    if (!v.isObject()) throw KeydirException.badJson("'%s' must be an object", field);
    return Optional.of(v);
  }

  private static List<UploadedKey> keys(JsonNode body, String field) {
    Optional<JsonNode> obj = present(body, field);
    if (obj.isEmpty()) return List.of();
    List<UploadedKey> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : obj.get().properties()) {
      out.add(new UploadedKey(KeyId.parse(e.getKey()), e.getValue(), out.size()));
    }
    return out;
  }

  public int keyCount() {
    return oneTimeKeys.size() + fallbackKeys.size();
  }

  public boolean hasSignedKeys() {
    return oneTimeKeys.stream().anyMatch(UploadedKey::signed)
        || fallbackKeys.stream().anyMatch(UploadedKey::signed);
  }
}
