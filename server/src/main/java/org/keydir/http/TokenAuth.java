package org.keydir.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.keys.KeydirException;

/**
 * Client authentication (spec "Using access tokens": {@code Authorization: Bearer}, or the
 * deprecated {@code access_token} query parameter): the caller's user and device come only from the
 * token, never from the body. How a token becomes a caller is the subclass's.
 */
abstract class TokenAuth implements Handler<RoutingContext> {
  /** The caller the token stands for, or a failure (unknown token, host unavailable, …). */
  abstract Future<Caller> callerOf(String token, RoutingContext ctx);

  @Override
  public final void handle(RoutingContext ctx) {
    String token = BearerTokens.from(ctx);
    if (token == null) {
      ctx.fail(KeydirException.of(KeydirException.Kind.MISSING_TOKEN, "missing access token"));
      return;
    }
    callerOf(token, ctx)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
              } else {
                ctx.put(Caller.CONTEXT_KEY, ar.result());
                ctx.next();
              }
            });
  }
}
