package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.host.DelegatedAuthentication;
import org.keydir.keys.KeydirException;

/** Client authentication, delegated mode: the homeserver's token, checked with the homeserver (cached). */
final class DelegatedAuth implements Handler<RoutingContext> {
  private final DelegatedAuthentication auth;

  DelegatedAuth(DelegatedAuthentication auth) {
    this.auth = auth;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token = BearerTokens.from(ctx);
    if (token == null) {
      ctx.fail(KeydirException.of(KeydirException.Kind.MISSING_TOKEN, "missing access token"));
      return;
    }
    auth.authenticate(token, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.put(Caller.CONTEXT_KEY, ar.result());
        ctx.next();
      }
    });
  }
}
