package org.keydir.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.keys.KeydirException;
import org.keydir.usecases.LocalTokens;

/** Client authentication, local mode: keydir's own tokens, looked up by their hash. */
final class ClientAuth extends TokenAuth {
  private final LocalTokens tokens;

  ClientAuth(LocalTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  Future<Caller> callerOf(String token, RoutingContext ctx) {
    return tokens
        .callerOf(token)
        .compose(
            found ->
                found
                    .map(Future::succeededFuture)
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                KeydirException.of(
                                    KeydirException.Kind.UNKNOWN_TOKEN,
                                    "unrecognised access token"))));
  }
}
