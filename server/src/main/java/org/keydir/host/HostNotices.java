package org.keydir.host;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.keydir.store.DeviceListStore;
import org.keydir.store.TokenNotice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notices host mode listens to on every replica: device-list changes (wake long-polls) and
 * token invalidations (a logout: drop the cached verdict). A token invalidation carries the token's
 * hash or the device, never the token. Delivered within moments on every replica that is connected;
 * a replica whose listener reconnects drops its whole verdict cache (it may have missed a notice).
 */
public final class HostNotices {
  private static final Logger LOG = LoggerFactory.getLogger(HostNotices.class);

  private final Pool pool;
  // this replica's verdicts, dropped at once on an invalidation; null without delegated auth
  private final VerdictCache verdicts;

  private HostNotices(Pool pool, VerdictCache verdicts) {
    this.pool = pool;
    this.verdicts = verdicts;
  }

  public static HostNotices listen(
      Vertx vertx,
      PgConnectOptions options,
      Pool pool,
      DeviceListFeed feed,
      VerdictCache verdicts,
      Runnable onDeviceListChange) {
    PgSubscriber subscriber = org.keydir.store.Listener.on(vertx, options);
    subscriber
        .channel(DeviceListStore.CHANNEL)
        .handler(
            payload -> {
              feed.changed();
              onDeviceListChange.run();
            });
    if (verdicts != null) {
      subscriber.channel(TokenNotice.CHANNEL).handler(payload -> apply(payload, verdicts));
      subscriber.channel(TokenNotice.CHANNEL).subscribeHandler(v -> verdicts.invalidateAll());
    }
    subscriber
        .connect()
        .onFailure(e -> LOG.warn("cannot LISTEN for host-mode notices: {}", e.toString()));
    return new HostNotices(pool, verdicts);
  }

  private static void apply(String payload, VerdictCache verdicts) {
    TokenNotice.parse(payload)
        .ifPresentOrElse(
            n -> {
              if (n.tokenHash() != null) verdicts.invalidateToken(n.tokenHash());
              if (n.namesDevice()) verdicts.invalidateDevice(n.userId(), n.deviceId());
            },
            () -> LOG.warn("ignoring a malformed token invalidation notice"));
  }

  /**
   * Drops the token's verdict on this replica at once (the caller's next request must not pass on a
   * verdict the notice has not reached yet) and, by NOTIFY, on every other.
   */
  public Future<Void> invalidateToken(String tokenHash) {
    if (verdicts != null) verdicts.invalidateToken(tokenHash);
    return TokenNotice.ofToken(tokenHash).send(pool);
  }

  public Future<Void> invalidateDevice(String userId, String deviceId) {
    if (verdicts != null) verdicts.invalidateDevice(userId, deviceId);
    return TokenNotice.ofDevice(userId, deviceId).send(pool);
  }
}
