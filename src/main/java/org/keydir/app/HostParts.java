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
import org.keydir.store.SyncViewStore;
import org.keydir.host.VerdictCache;
import org.keydir.http.Routes;
import org.keydir.store.AuditStore;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.SyncStateStore;

/** The host-mode parts of one keydir process (all absent in standalone mode). */
final class HostParts {
  /** Calls to the homeserver in flight per process (token checks, long-polled /sync); beyond: 503 at once. */
  private static final int MAX_HOST_CALLS = 4096;
  /** An initial /sync of a big account is tens of MB; past this keydir answers 503 (raise it if you hit it). */
  private static final long MAX_SYNC_BYTES = 64L * 1024 * 1024;

  private HostParts() {}

  static Routes.HostMode wire(Vertx vertx, Pool pool, DatabaseUrl url, KeydirConfig config, Clock clock) {
    KeydirConfig.Auth auth = config.auth();
    Optional<DelegatedAuthentication> delegated = Optional.empty();
    Optional<SyncPassThrough> sync = Optional.empty();
    if (auth.delegated()) {
      OutboundHttp toHost = new OutboundHttp(vertx, true, MAX_HOST_CALLS, MAX_HOST_CALLS);
      if (!auth.hostUrl().isEmpty()) {
        sync = Optional.of(new SyncPassThrough(toHost, auth.hostUrl(), auth.hostTimeoutMs(), MAX_SYNC_BYTES, pool,
            new SyncViewStore()));
      }
      VerdictCache cache = new VerdictCache(auth.cacheTtlMs(), auth.negativeCacheTtlMs(), auth.maxCachedTokens(), clock,
          Ticker.systemTicker());
      delegated = Optional.of(new DelegatedAuthentication(new HostTokenVerifier(toHost, auth, config.serverName(), clock),
          cache, pool, new DeviceStore(), new DeviceListStore(), new AuditStore(), clock));
    }
    Optional<Routes.Internal> internal = Optional.empty();
    if (config.internal().enabled() || auth.delegated()) {
      DeviceListFeed feed = new DeviceListFeed(vertx, pool, new DeviceListStore());
      HostNotices notices = HostNotices.listen(vertx, url.options(), pool, feed,
          delegated.map(DelegatedAuthentication::cache).orElse(null));
      if (config.internal().enabled()) {
        internal = Optional.of(new Routes.Internal(config.internal().token(), new SyncStates(pool, new SyncStateStore()),
            feed, notices, !config.internal().listen().isEmpty()));
      }
    }
    return new Routes.HostMode(delegated, !config.serverKeys().host(), internal, sync);
  }
}
