package org.keydir.app;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.keydir.config.KeydirConfig;
import org.keydir.federation.Backoff;
import org.keydir.federation.FederatedServers;
import org.keydir.federation.FederationClient;
import org.keydir.federation.OutboundHttp;
import org.keydir.federation.PeerKeys;
import org.keydir.federation.ServerResolver;
import org.keydir.serverkeys.OwnKeys;
import org.keydir.store.PeerKeyStore;

/** The federation side of one keydir process, every part bounded by {@code federation.*}. */
record FederationParts(
    OutboundHttp outbound,
    ServerResolver resolver,
    Backoff backoff,
    FederationClient client,
    PeerKeys peerKeys,
    FederatedServers remote) {

  static FederationParts wire(
      Vertx vertx, Pool pool, KeydirConfig.Federation cfg, Clock clock, OwnKeys own) {
    OutboundHttp outbound =
        new OutboundHttp(vertx, cfg.allowPrivateAddresses(), cfg.maxConcurrentRequests());
    ServerResolver resolver = new ServerResolver(cfg.serverMap(), outbound, cfg.maxCachedServers());
    Backoff backoff =
        new Backoff(clock, cfg.backoffInitialMs(), cfg.backoffMaxMs(), cfg.maxCachedServers());
    FederationClient client =
        new FederationClient(
            outbound, resolver, own, backoff, cfg.requestTimeoutMs(), cfg.maxResponseBytes());
    PeerKeys peerKeys =
        new PeerKeys(
            vertx,
            pool,
            new PeerKeyStore(),
            client,
            clock,
            cfg.keyRefetchIntervalMs(),
            cfg.maxCachedServers());
    return new FederationParts(
        outbound,
        resolver,
        backoff,
        client,
        peerKeys,
        new FederatedServers(client, cfg.requestTimeoutMs()));
  }
}
