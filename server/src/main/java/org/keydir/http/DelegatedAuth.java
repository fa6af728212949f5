package org.keydir.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.host.DelegatedAuthentication;

/**
 * Client authentication, delegated mode: the homeserver's token, checked with the homeserver
 * (cached).
 */
final class DelegatedAuth extends TokenAuth {
  private final DelegatedAuthentication auth;

  DelegatedAuth(DelegatedAuthentication auth) {
    this.auth = auth;
  }

  @Override
  Future<Caller> callerOf(String token, RoutingContext ctx) {
    return auth.authenticate(token, ctx.vertx().getOrCreateContext());
  }
}
