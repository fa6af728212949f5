package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * MSC4162 {@code POST /keys/reset}: {@code {"all": true}} or {@code {"all": false, "key_ids":
 * [...]}}. {@code keyIds} is null when every one-time key of the device is to go.
 */
public record ResetRequest(List<KeyId> keyIds) {
  static final int MAX_KEY_IDS = 10_000;

  public static ResetRequest all() {
    return new ResetRequest(null);
  }

  public boolean resetsAll() {
    return keyIds == null;
  }

  public static ResetRequest fromJson(JsonNode body) {
    boolean all =
        JsonFields.optionalBoolean(body, "all")
            .orElseThrow(
                () ->
                    KeydirException.of(
                        KeydirException.Kind.MISSING_PARAM, "'all' is required (true or false)"));
    // MSC4162: "If all is true, ... key_ids is ignored."
    if (all) return all();
    JsonNode ids = body.get("key_ids");
    if (ids == null || ids.isNull()) {
      throw KeydirException.of(
          KeydirException.Kind.MISSING_PARAM, "'key_ids' is required when 'all' is false");
    }
    if (!ids.isArray()) throw KeydirException.badJson("'key_ids' must be an array of key ids");
    if (ids.size() > MAX_KEY_IDS)
      throw KeydirException.invalidParam("'key_ids' may hold at most %d ids", MAX_KEY_IDS);
    LinkedHashSet<KeyId> out = new LinkedHashSet<>();
    for (JsonNode id : ids) {
      if (!id.isTextual())
        throw KeydirException.badJson("'key_ids' must hold strings like signed_curve25519:AAAAHQ");
      out.add(KeyId.parse(id.textValue()));
    }
    return new ResetRequest(new ArrayList<>(out));
  }
}
