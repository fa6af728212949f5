package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.AccessTokens;
import org.keydir.keys.KeydirException;

/** The admin API's bearer token, from the Authorization header only: missing → 401, anything but the admin token → 403, compared in constant time. */
final class AdminAuth implements Handler<RoutingContext> {
  private final String adminToken;

  AdminAuth(String adminToken) {
    this.adminToken = adminToken;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token = BearerTokens.fromHeaderOnly(ctx);
    if (token == null) {
      ctx.fail(KeydirException.of(KeydirException.Kind.MISSING_TOKEN, "missing admin token"));
    } else if (!AccessTokens.sameSecret(adminToken, token)) {
      ctx.fail(KeydirException.of(KeydirException.Kind.FORBIDDEN, "admin access required"));
    } else {
      ctx.next();
    }
  }
}
