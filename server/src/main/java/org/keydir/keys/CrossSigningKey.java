package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.keydir.crypto.JsonSigning;

/**
 * One uploaded cross-signing key, checked for shape (spec "Cross-signing", {@code
 * CrossSigningKey}): {@code user_id}, {@code usage} exactly {@code [<usage>]}, {@code keys} exactly
 * one {@code "ed25519:<pub>": "<pub>"} with a 32-byte key. Signatures are checked by the planner.
 */
public record CrossSigningKey(String usage, String userId, String publicKey, JsonNode json) {
  public static final String MASTER = "master";
  public static final String SELF_SIGNING = "self_signing";
  public static final String USER_SIGNING = "user_signing";

  static CrossSigningKey parse(String field, String usage, JsonNode k) {
    if (!k.isObject()) throw KeydirException.badJson("'%s' must be an object", field);
    JsonNode userId = k.get("user_id");
    if (userId == null || !userId.isTextual())
      throw KeydirException.badJson("'%s.user_id' must be a string", field);
    JsonNode use = k.get("usage");
    if (use == null
        || !use.isArray()
        || use.size() != 1
        || !usage.equals(use.get(0).asText(null))) {
      throw KeydirException.invalidParam("'%s.usage' must be [\"%s\"]", field, usage);
    }
    JsonNode keys = k.get("keys");
    if (keys == null || !keys.isObject() || keys.size() != 1) {
      throw KeydirException.invalidParam("'%s.keys' must hold exactly one ed25519 key", field);
    }
    Iterator<Map.Entry<String, JsonNode>> only = keys.properties().iterator();
    Map.Entry<String, JsonNode> e = only.next();
    if (!e.getValue().isTextual()
        || !e.getKey().equals(JsonSigning.ED25519_PREFIX + e.getValue().textValue())) {
      throw KeydirException.invalidParam("'%s.keys' must be {\"ed25519:<key>\": \"<key>\"}", field);
    }
    try {
      JsonSigning.decodePublicKey(e.getValue().textValue());
    } catch (IllegalArgumentException bad) {
      throw KeydirException.invalidParam(
          "'%s.keys' does not hold a 32-byte unpadded base64 ed25519 key", field);
    }
    JsonNode sigs = k.get("signatures");
    if (sigs != null && !sigs.isObject())
      throw KeydirException.badJson("'%s.signatures' must be an object", field);
    return new CrossSigningKey(usage, userId.textValue(), e.getValue().textValue(), k);
  }

  public String keyId() {
    return JsonSigning.ED25519_PREFIX + publicKey;
  }
}
