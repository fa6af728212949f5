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
    return Optional.of(v.textValue());
  }

  public static String requiredString(JsonNode obj, String field) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) throw KeydirException.of(KeydirException.Kind.MISSING_PARAM, "'%s' is required", field);
    if (!v.isTextual()) throw KeydirException.badJson("'%s' must be a string", field);
    return v.textValue();
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
}
