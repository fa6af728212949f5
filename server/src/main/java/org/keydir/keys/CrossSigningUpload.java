package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /keys/device_signing/upload}, parsed for shape; {@code auth} is read by the approval
 * step.
 */
public record CrossSigningUpload(List<CrossSigningKey> keys) {
  public static CrossSigningUpload fromJson(JsonNode body) {
    List<CrossSigningKey> keys = new ArrayList<>();
    add(keys, body, "master_key", CrossSigningKey.MASTER);
    add(keys, body, "self_signing_key", CrossSigningKey.SELF_SIGNING);
    add(keys, body, "user_signing_key", CrossSigningKey.USER_SIGNING);
    return new CrossSigningUpload(List.copyOf(keys));
  }

  private static void add(List<CrossSigningKey> keys, JsonNode body, String field, String usage) {
    JsonNode k = body.get(field);
    if (k != null && !k.isNull()) keys.add(CrossSigningKey.parse(field, usage, k));
  }
}
