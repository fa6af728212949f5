package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.AccessTokens;
import org.keydir.keys.KeydirException;

/**
 * A shared-secret bearer token (the admin API's, the internal API's), from the Authorization header
 * only: missing → 401, anything but the token → 403, compared in constant time.
 */
final class AdminAuth implements Handler<RoutingContext> {
  private final String token;
  private final String name;
  private final String refusal;

  AdminAuth(String adminToken) {
    this(adminToken, "admin token", "admin access required");
  }

  AdminAuth(String token, String name, String refusal) {
    this.token = token;
    this.name = name;
    this.refusal = refusal;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String given = BearerTokens.fromHeaderOnly(ctx);
    if (given == null) {
      ctx.fail(KeydirException.of(KeydirException.Kind.MISSING_TOKEN, "missing %s", name));
    } else if (!AccessTokens.sameSecret(token, given)) {
      ctx.fail(KeydirException.of(KeydirException.Kind.FORBIDDEN, "%s", refusal));
    } else {
      ctx.next();
    }
  }
}
