package org.keydir.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/** A LISTEN connection of its own, reconnecting a second after it drops (PostgreSQL NOTIFY). */
public final class Listener {
  private Listener() {}

  public static PgSubscriber on(Vertx vertx, PgConnectOptions options) {
    return PgSubscriber.subscriber(vertx, new PgConnectOptions(options))
        .reconnectPolicy(retries -> 1_000L);
  }
}
