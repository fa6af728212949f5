package org.keydir.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.KeydirException;

/** Reads a request body as one JSON object: unparsable → M_NOT_JSON, not an object → M_BAD_JSON. */
public final class JsonBodies {
  private JsonBodies() {}

  public static JsonNode object(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw KeydirException.of(
          KeydirException.Kind.NOT_JSON, "request body is empty; expected a JSON object");
    }
    JsonNode node;
    try {
      node = CanonicalJson.strictMapper().readTree(body.getBytes());
    } catch (StreamReadException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        throw KeydirException.badJson(
            "duplicate member in JSON object: %s", e.getOriginalMessage());
      }
      throw KeydirException.of(KeydirException.Kind.NOT_JSON, "request body is not valid JSON");
    } catch (JsonProcessingException e) {
      throw KeydirException.of(KeydirException.Kind.NOT_JSON, "request body is not valid JSON");
    } catch (IOException e) {
      throw KeydirException.of(KeydirException.Kind.NOT_JSON, "request body is not valid JSON");
    }
    if (node == null || !node.isObject())
      throw KeydirException.badJson("request body must be a JSON object");
    return node;
  }
}
