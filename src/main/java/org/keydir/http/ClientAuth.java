package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.Caller;
import org.keydir.keys.KeydirException;
import org.keydir.store.TokenStore;

/**
 * Client authentication, local mode: the access token (spec "Using access tokens":
 * {@code Authorization: Bearer}, or the deprecated {@code access_token} query parameter) is
 * looked up by its hash; the caller's user and device come only from it.
 */
final class ClientAuth implements Handler<RoutingContext> {
  private final io.vertx.sqlclient.Pool pool;
  private final TokenStore tokens;

  ClientAuth(io.vertx.sqlclient.Pool pool, TokenStore tokens) {
    this.pool = pool;
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token = BearerTokens.from(ctx);
    if (token == null) {
      ctx.fail(KeydirException.of(KeydirException.Kind.MISSING_TOKEN, "missing access token"));
      return;
    }
    tokens.lookup(pool, AccessTokens.hash(token)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(KeydirException.of(KeydirException.Kind.UNKNOWN_TOKEN, "unrecognised access token"));
      } else {
        ctx.put(Caller.CONTEXT_KEY, ar.result().get());
        ctx.next();
      }
    });
  }
}
