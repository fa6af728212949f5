package org.keydir.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.Caller;
import org.keydir.keys.KeydirException;
import org.keydir.store.TokenStore;

/** Client authentication, local mode: keydir's own tokens, looked up by their hash. */
final class ClientAuth extends TokenAuth {
  private final io.vertx.sqlclient.Pool pool;
  private final TokenStore tokens;

  ClientAuth(io.vertx.sqlclient.Pool pool, TokenStore tokens) {
    this.pool = pool;
    this.tokens = tokens;
  }

  @Override
  Future<Caller> callerOf(String token, RoutingContext ctx) {
    return tokens.lookup(pool, AccessTokens.hash(token)).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(KeydirException.of(KeydirException.Kind.UNKNOWN_TOKEN,
            "unrecognised access token"))));
  }
}
