package org.keydir.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Writes JSON answers; handlers return a {@code Future<JsonNode>} and never set statuses. */
public final class Replies {
  private static final ObjectMapper WRITER = new ObjectMapper();

  private Replies() {}

  /**
   * Adapts a handler {@code ctx -> Future<JsonNode>} to vertx-web: 200 on success, failure →
   * MatrixErrors.
   */
  public static Handler<RoutingContext> json(
      Function<RoutingContext, Future<? extends JsonNode>> handler) {
    return ctx -> {
      Future<? extends JsonNode> result;
      try {
        result = handler.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onComplete(
          ar -> {
            if (ar.succeeded()) json(ctx, 200, ar.result());
            else ctx.fail(ar.cause());
          });
    };
  }

  static void json(RoutingContext ctx, int status, JsonNode body) {
    if (ctx.response().ended() || ctx.response().closed()) return;
    byte[] bytes;
    try {
      bytes = WRITER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      ctx.fail(e);
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-cache, no-store, must-revalidate")
        .end(Buffer.buffer(bytes));
  }
}
