package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.Optional;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.Caller;
import org.keydir.store.TokenStore;

/** keydir's own access tokens (auth.mode local): a token's device, found by the token's hash. */
public final class LocalTokens {
  private final Pool pool;
  private final TokenStore tokens;

  public LocalTokens(Pool pool, TokenStore tokens) {
    this.pool = pool;
    this.tokens = tokens;
  }

  public Future<Optional<Caller>> callerOf(String token) {
    return tokens.lookup(pool, AccessTokens.hash(token));
  }
}
