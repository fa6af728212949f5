package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code timeout} member of query and claim bodies (milliseconds; spec default 10 s). */
final class Timeouts {
  static final long MAX_MS = 60_000;

  private Timeouts() {}

  static long parse(JsonNode body, long defaultMs) {
    JsonNode t = body.get("timeout");
    if (t == null || t.isNull()) return defaultMs;
    if (!t.isIntegralNumber())
      throw KeydirException.badJson("'timeout' must be an integer (milliseconds)");
    return Math.max(0, Math.min(MAX_MS, t.asLong()));
  }
}
