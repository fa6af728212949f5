package org.keydir.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.keydir.store.DeviceListStore;
import org.keydir.store.TokenStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notices host mode listens to on every replica: device-list changes (wake long-polls) and
 * token invalidations (a logout: drop the cached verdict). A token invalidation carries the token's
 * hash or the device, never the token. Delivered within moments on every replica that is connected;
 * a replica whose listener reconnects drops its whole verdict cache (it may have missed a notice).
 */
public final class HostNotices {
  static final String TOKENS = TokenStore.INVALIDATIONS;
  private static final Logger LOG = LoggerFactory.getLogger(HostNotices.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOTIFY = "SELECT pg_notify($1, $2)";

  private final Pool pool;
  private final VerdictCache
      verdicts; // this replica's: dropped at once; null without delegated auth

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
      subscriber.channel(TOKENS).handler(payload -> apply(payload, verdicts));
      subscriber.channel(TOKENS).subscribeHandler(v -> verdicts.invalidateAll());
    }
    subscriber
        .connect()
        .onFailure(e -> LOG.warn("cannot LISTEN for host-mode notices: {}", e.toString()));
    return new HostNotices(pool, verdicts);
  }

  private static void apply(String payload, VerdictCache verdicts) {
    try {
      JsonNode n = JSON.readTree(payload);
      if (n.hasNonNull("token_hash")) verdicts.invalidateToken(n.get("token_hash").asText());
      if (n.hasNonNull("user_id") && n.hasNonNull("device_id")) {
        verdicts.invalidateDevice(n.get("user_id").asText(), n.get("device_id").asText());
      }
    } catch (java.io.IOException e) {
      LOG.warn("ignoring a malformed token invalidation notice");
    }
  }

  /**
   * Drops the token's verdict on this replica at once (the caller's next request must not pass on a
   * verdict the notice has not reached yet) and, by NOTIFY, on every other.
   */
  public Future<Void> invalidateToken(String tokenHash) {
    if (verdicts != null) verdicts.invalidateToken(tokenHash);
    return notifyTokens(
        JsonNodeFactory.instance.objectNode().put("token_hash", tokenHash).toString());
  }

  public Future<Void> invalidateDevice(String userId, String deviceId) {
    if (verdicts != null) verdicts.invalidateDevice(userId, deviceId);
    return notifyTokens(
        JsonNodeFactory.instance
            .objectNode()
            .put("user_id", userId)
            .put("device_id", deviceId)
            .toString());
  }

  private Future<Void> notifyTokens(String payload) {
    return pool.preparedQuery(NOTIFY).execute(Tuple.of(TOKENS, payload)).mapEmpty();
  }
}
