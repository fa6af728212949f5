package org.keydir.app;

import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Optional;
import org.keydir.config.KeydirConfig;
import org.keydir.federation.OutboundHttp;
import org.keydir.host.DelegatedAuthentication;
import org.keydir.host.DeviceListFeed;
import org.keydir.host.HostNotices;
import org.keydir.host.HostTokenVerifier;
import org.keydir.host.SyncPassThrough;
import org.keydir.host.SyncStates;
import org.keydir.host.VerdictCache;
import org.keydir.http.Routes;
import org.keydir.store.AuditStore;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.SyncStateStore;
import org.keydir.store.SyncViewStore;

/** The host-mode parts of one keydir process (all absent in standalone mode). */
final class HostParts {
  /**
   * Calls to the homeserver in flight per process (token checks, long-polled /sync); beyond: 503 at
   * once.
   */
  private static final int MAX_HOST_CALLS = 4096;

  /**
   * An initial /sync of a big account is tens of MB; past this keydir answers 503 (raise it if you
   * hit it).
   */
  private static final long MAX_SYNC_BYTES = 64L * 1024 * 1024;

  private HostParts() {}

  static Routes.HostMode wire(
      Vertx vertx,
      Pool pool,
      DatabaseUrl url,
      KeydirConfig config,
      Clock clock,
      org.keydir.federation.FederationClient federation,
      org.keydir.usecases.KeyQueries queries,
      Optional<org.keydir.metrics.Metrics> metrics) {
    KeydirConfig.Auth auth = config.auth();
    Optional<DelegatedAuthentication> delegated = Optional.empty();
    Optional<SyncPassThrough> sync = Optional.empty();
    if (auth.delegated()) {
      OutboundHttp toHost = new OutboundHttp(vertx, true, MAX_HOST_CALLS, MAX_HOST_CALLS);
      if (!auth.hostUrl().isEmpty()) {
        sync =
            Optional.of(
                new SyncPassThrough(
                    vertx,
                    toHost,
                    auth.hostUrl(),
                    auth.hostTimeoutMs(),
                    MAX_SYNC_BYTES,
                    pool,
                    new SyncViewStore()));
      }
      VerdictCache cache =
          new VerdictCache(
              auth.cacheTtlMs(),
              auth.negativeCacheTtlMs(),
              auth.maxCachedTokens(),
              clock,
              Ticker.systemTicker());
      delegated =
          Optional.of(
              new DelegatedAuthentication(
                  new HostTokenVerifier(toHost, auth, config.serverName(), clock),
                  cache,
                  pool,
                  new DeviceStore(),
                  new DeviceListStore(clock),
                  new AuditStore(),
                  clock));
    }
    Optional<Routes.Internal> internal = Optional.empty();
    org.keydir.host.FederationInterest interest = org.keydir.host.FederationInterest.NONE;
    Optional<org.keydir.host.OutboxSender> outbox = Optional.empty();
    if (auth
        .delegated()) { // behind a homeserver that sends no EDUs for keydir's changes: keydir does
      interest =
          new org.keydir.host.FederationInterest(
              pool, new org.keydir.store.FederationInterestStore(), clock, config.serverName());
      KeydirConfig.Federation f = config.federation();
      org.keydir.store.OutboxStore outboxStore = new org.keydir.store.OutboxStore();
      org.keydir.host.OutboxSender sender =
          new org.keydir.host.OutboxSender(
              vertx,
              pool,
              outboxStore,
              queries,
              federation,
              config.serverName(),
              java.util.UUID.randomUUID().toString(),
              clock,
              new org.keydir.host.OutboxSender.Settings(
                  f.outboxIntervalMs(),
                  f.outboxLeaseMs(),
                  Math.max(100, f.backoffInitialMs()),
                  f.backoffMaxMs(),
                  f.requestTimeoutMs(),
                  f.outboxRetentionMs()),
              (destination, ok) -> metrics.ifPresent(m -> m.outboxOutcome(destination, ok)));
      sender.start();
      outbox = Optional.of(sender);
      metrics.ifPresent(
          m ->
              vertx.setPeriodic(
                  5_000,
                  id ->
                      outboxStore
                          .stats(pool)
                          .onSuccess(s -> m.outbox(s[0], s[1] < 0 ? 0 : clock.millis() - s[1]))));
    }
    if (config.internal().enabled() || auth.delegated()) {
      DeviceListFeed feed = new DeviceListFeed(vertx, pool, new DeviceListStore(clock));
      Optional<org.keydir.host.OutboxSender> kick = outbox;
      HostNotices notices =
          HostNotices.listen(
              vertx,
              url.options(),
              pool,
              feed,
              delegated.map(DelegatedAuthentication::cache).orElse(null),
              () -> kick.ifPresent(org.keydir.host.OutboxSender::kick));
      if (config.internal().enabled()) {
        internal =
            Optional.of(
                new Routes.Internal(
                    config.internal().token(),
                    new SyncStates(pool, new SyncStateStore()),
                    feed,
                    notices,
                    !config.internal().listen().isEmpty()));
      }
    }
    return new Routes.HostMode(delegated, !config.serverKeys().host(), internal, sync, interest);
  }
}
