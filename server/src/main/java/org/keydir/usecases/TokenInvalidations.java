package org.keydir.usecases;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.keydir.store.TokenNotice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: every replica LISTENs for deleted devices' tokens ({@link TokenNotice#CHANNEL}, sent
 * in the deleting transaction, so delivered on commit) and drops them from its {@link LocalTokens}.
 * On every (re)connect the whole cache is dropped: notices sent while the listener was away are
 * lost.
 */
public final class TokenInvalidations {
  private static final Logger LOG = LoggerFactory.getLogger(TokenInvalidations.class);

  private TokenInvalidations() {}

  public static PgSubscriber listen(Vertx vertx, PgConnectOptions options, LocalTokens tokens) {
    PgSubscriber subscriber = org.keydir.store.Listener.on(vertx, options);
    subscriber
        .channel(TokenNotice.CHANNEL)
        .subscribeHandler(v -> tokens.invalidateAll())
        .handler(payload -> apply(payload, tokens));
    subscriber
        .connect()
        .onFailure(
            e -> {
              LOG.warn("cannot LISTEN for token invalidations: {}", e.toString());
              tokens.invalidateAll();
            });
    return subscriber;
  }

  static void apply(String payload, LocalTokens tokens) {
    TokenNotice.parse(payload)
        .filter(TokenNotice::namesDevice)
        .ifPresentOrElse(
            n -> tokens.invalidateDevice(n.userId(), n.deviceId()), tokens::invalidateAll);
  }
}
