package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Typed reads of request fields; a wrong shape is {@code M_BAD_JSON} naming the field. */
public final class JsonFields {
  private JsonFields() {}

  public static Optional<String> optionalString(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) return Optional.empty();
    if (!v.isTextual()) throw KeydirException.badJson("'%s' must be a string", field);
    return Optional.of(wellFormed(v.textValue(), field));
  }

  public static String requiredString(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull())
      throw KeydirException.of(KeydirException.Kind.MISSING_PARAM, "'%s' is required", field);
    if (!v.isTextual()) throw KeydirException.badJson("'%s' must be a string", field);
    return wellFormed(v.textValue(), field);
  }

  public static Optional<Boolean> optionalBoolean(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) return Optional.empty();
    if (!v.isBoolean()) throw KeydirException.badJson("'%s' must be a boolean", field);
    return Optional.of(v.booleanValue());
  }

  /** An object member that may be absent; {@code null} where an object belongs is bad JSON. */
  public static Optional<JsonNode> optionalObject(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null) return Optional.empty();
    if (!v.isObject()) throw KeydirException.badJson("'%s' must be an object", field);
    return Optional.of(v);
  }

  /**
   * A lone UTF-16 surrogate (from a {@code \\ud800} escape) has no UTF-8 form: PostgreSQL would
   * store '?'.
   */
  static String wellFormed(String s, String field) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw KeydirException.badJson("'%s' holds an unpaired UTF-16 surrogate", field);
      }
    }
    return s;
  }
}
