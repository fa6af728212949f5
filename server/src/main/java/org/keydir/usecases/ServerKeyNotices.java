package org.keydir.usecases;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change to the signing keys (a rotation step, an early rotation, a revocation) sends {@code
 * NOTIFY keydir_server_keys} in its transaction; every replica LISTENs and reloads its key ring
 * when it arrives, so a revoked key stops signing everywhere within moments instead of up to {@code
 * rotation.refresh_interval} later. The periodic refresh stays as the fallback (a lost listener
 * connection reconnects, and a notice sent meanwhile is covered by the next refresh).
 */
public final class ServerKeyNotices {
  static final String CHANNEL = "keydir_server_keys";
  private static final Logger LOG = LoggerFactory.getLogger(ServerKeyNotices.class);

  private ServerKeyNotices() {}

  public static PgSubscriber listen(Vertx vertx, PgConnectOptions options, KeyRing ring) {
    PgSubscriber subscriber = org.keydir.store.Listener.on(vertx, options);
    subscriber
        .channel(CHANNEL)
        .handler(
            payload ->
                ring.refresh()
                    .onFailure(
                        e -> LOG.warn("key ring refresh after a notice failed: {}", e.toString())));
    subscriber
        .connect()
        .onFailure(
            e ->
                LOG.warn(
                    "cannot LISTEN for signing key changes (periodic refresh only): {}",
                    e.toString()));
    return subscriber;
  }
}
