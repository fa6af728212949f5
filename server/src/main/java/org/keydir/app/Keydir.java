package org.keydir.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.keydir.config.ConfigException;
import org.keydir.config.KeydirConfig;
import org.keydir.config.RotationConfig;
import org.keydir.crypto.SecretBox;
import org.keydir.federation.FederationAuth;
import org.keydir.federation.PeerKeys;
import org.keydir.http.ConnectionGate;
import org.keydir.http.FederationRateLimiter;
import org.keydir.http.RateLimiter;
import org.keydir.http.Routes;
import org.keydir.metrics.Metrics;
import org.keydir.serverkeys.HostSigningKey;
import org.keydir.store.CitusLayout;
import org.keydir.store.Database;
import org.keydir.store.DatabaseAtStart;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;
import org.keydir.store.Migrations;
import org.keydir.store.OneTimeKeyStore;
import org.keydir.store.RetentionStore;
import org.keydir.usecases.KeyRing;
import org.keydir.usecases.Retention;
import org.keydir.usecases.Rotator;
import org.keydir.usecases.ServerKeyNotices;
import org.keydir.usecases.StatisticsKeeper;
import org.keydir.usecases.TokenInvalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running keydir process: the only place that calls constructors (wiring). Start order: database
 * (embedded or configured), migrations, pool, HTTP; all blocking work happens here, on the calling
 * thread, before any event loop serves a request. Stop order is the reverse.
 */
public final class Keydir implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Keydir.class);

  private final KeydirConfig config;
  private final Optional<EmbeddedDatabase> embedded;
  private final Vertx vertx;
  private final Database database;
  private final String deploymentId;
  private final int port;
  private final String adminToken;

  private Keydir(
      KeydirConfig config,
      Optional<EmbeddedDatabase> embedded,
      Vertx vertx,
      Database database,
      String deploymentId,
      int port,
      String adminToken) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.database = database;
    this.deploymentId = deploymentId;
    this.port = port;
    this.adminToken = adminToken;
  }

  public static Keydir start(KeydirConfig config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * {@code clock}: every time keydir decides by (claims' and uploads' timestamps, retention
   * cutoffs, rotation, approval windows, token expiry); tests pass virtual time. Timers still tick
   * in real time.
   */
  public static Keydir start(KeydirConfig config, Clock clock) {
    long t0 = System.nanoTime();
    String adminToken = AdminTokens.resolve(config);
    SecretBox keyEncryption = KeyEncryptionKeys.resolve(config);
    Optional<EmbeddedDatabase> embedded =
        config.database().embedded()
            ? Optional.of(EmbeddedDatabase.start(config.dataPath()))
            : Optional.empty();
    Vertx vertx = null;
    try {
      DatabaseUrl url =
          DatabaseUrl.parse(embedded.map(EmbeddedDatabase::url).orElse(config.database().url()));
      if (embedded.isEmpty())
        DatabaseAtStart.await(
            url, config.database().startupTimeoutMs(), config.database().connectTimeoutMs());
      Migrations.apply(url, CitusLayout.Mode.of(config.database().citus()));
      Optional<Metrics> metrics =
          config.metrics().enabled() ? Optional.of(new Metrics()) : Optional.empty();
      VertxOptions vertxOptions = new VertxOptions().setPreferNativeTransport(true);
      Vertx created =
          metrics.map(m -> m.newVertx(vertxOptions)).orElseGet(() -> Vertx.vertx(vertxOptions));
      vertx = created;
      // before the listener opens: once /ready answers, "keydir serving" is the last startup line
      LOG.info("ed25519 signatures verified by {}", org.keydir.crypto.Ed25519.verifier());
      LOG.info("network transport: {}", transport(vertx));
      Database database = Database.connect(vertx, url, config.database());
      var pool = database.pool();
      RotationConfig rotation = config.rotation().policy();
      ServerKeyParts serverKeyParts = ServerKeyParts.wire(pool, config, keyEncryption, clock);
      Rotator rotator = serverKeyParts.rotator();
      KeyRing ring = serverKeyParts.ring();
      org.keydir.serverkeys.OwnKeys ownKeys = ring;
      if (config.serverKeys().host()) {
        HostSigningKey hostKey =
            HostSigningKey.load(
                config.serverName(), Path.of(config.serverKeys().hostSigningKeyPath()));
        ownKeys = hostKey;
        LOG.info(
            "signing federation requests with the homeserver's key {} (public key {}); not rotating, not "
                + "publishing it",
            hostKey.signingKey().keyId(),
            hostKey.publicKeyBase64());
      } else {
        rotator.runOnce().await(30, TimeUnit.SECONDS); // bootstrap: the first key, if none
        loadKeyRing(ring);
        ServerKeyNotices.listen(vertx, url.options(), ring);
        long refreshMs = rotation.refreshInterval().toMillis();
        vertx.setPeriodic(
            refreshMs,
            id ->
                rotator
                    .runOnce()
                    .onFailure(e -> LOG.warn("signing key rotation round failed: {}", e.toString()))
                    .eventually(
                        () ->
                            ring.refresh()
                                .onFailure(
                                    e -> LOG.warn("key ring refresh failed: {}", e.toString()))));
      }

      FederationParts federation =
          FederationParts.wire(vertx, pool, config.federation(), clock, ownKeys);
      PeerKeys peerKeys = federation.peerKeys();
      metrics.ifPresent(
          m ->
              m.federationCaches(
                  federation.resolver()::cachedServers,
                  peerKeys::cachedServers,
                  peerKeys::recentKeyRequests,
                  federation.backoff()::size,
                  federation.outbound()::inFlight));
      Services services =
          Services.wire(
              database,
              config,
              clock,
              federation.remote(),
              claimed -> metrics.ifPresent(m -> m.claimed(claimed)),
              () -> serverKeyParts);
      if (!config.auth().delegated())
        TokenInvalidations.listen(vertx, url.options(), services.tokens());
      metrics.ifPresent(m -> sampleStock(created, pool, m, config.metrics().stockIntervalMs()));
      Retention retention = services.retention();
      vertx.setPeriodic(
          config.cleanup().intervalMs(),
          id ->
              retention
                  .runOnce()
                  .onFailure(e -> LOG.debug("retention round failed: {}", e.toString())));
      if (!database.shards().isCitus()) { // Citus plans on the coordinator from its own statistics
        StatisticsKeeper statistics = services.statistics();
        vertx.setPeriodic(
            StatisticsKeeper.INTERVAL_MS,
            id ->
                statistics
                    .runOnce()
                    .onFailure(e -> LOG.debug("statistics round failed: {}", e.toString())));
      }
      RateLimiter rateLimiter = new RateLimiter(config.rateLimit());
      vertx.setPeriodic(60_000, id -> rateLimiter.evictIdle());
      Routes.Deps deps =
          new Routes.Deps(
              new Routes.Listener(services.database(), config.limits().maxBodyBytes()),
              new Routes.ClientApi(
                  services.tokens(),
                  services.uploads(),
                  services.claims(),
                  services.queries(),
                  services.resets(),
                  services.listing(),
                  services.crossSigning(),
                  services.signatures(),
                  services.deviceListChanges(),
                  rateLimiter),
              new Routes.FederationApi(
                  ring,
                  rotation,
                  new FederationAuth(config.serverName(), peerKeys),
                  new FederationRateLimiter(
                      config.rateLimit(), config.federation().maxCachedServers()),
                  clock),
              new Routes.OperatorApi(
                  adminToken,
                  services.deviceAdmin(),
                  services.auditLog(),
                  services.crossSigningAdmin(),
                  serverKeyParts.admin(),
                  services.deviceListChanges(),
                  metrics),
              HostParts.wire(
                  vertx,
                  pool,
                  url,
                  config,
                  clock,
                  federation.client(),
                  services.queries(),
                  metrics));
      int port = config.listen().port() == 0 ? freePort() : config.listen().port();
      int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
      ConnectionGate connections =
          new ConnectionGate(
              config.listen().maxConnections(), config.listen().requestReadTimeoutMs());
      metrics.ifPresent(m -> m.openConnections(connections::open));
      String deploymentId =
          vertx
              .deployVerticle(
                  () ->
                      new HttpVerticle(
                          v -> Routes.build(v, deps, !config.listen().operatorListener()),
                          config.listen().host(),
                          port,
                          config.shutdownGraceMs(),
                          connections),
                  new DeploymentOptions().setInstances(loops))
              .await(60, TimeUnit.SECONDS);
      if (config.internal().enabled() && !config.internal().listen().isEmpty()) {
        sideListener(
            vertx,
            config,
            v -> Routes.buildInternal(v, deps),
            config.internal().listenHost(),
            config.internal().listenPort());
        LOG.info("internal API on http://{}", config.internal().listen());
      }
      if (config.listen().operatorListener()) {
        sideListener(
            vertx,
            config,
            v -> Routes.buildOperator(v, deps),
            config.listen().operatorHost(),
            config.listen().operatorPort());
        LOG.info(
            "admin API and /metrics on http://{} (not on the client listener)",
            config.listen().operator());
      }
      LOG.info(
          "keydir serving {} on http://{}:{} ({} event loops, started in {} ms)",
          config.serverName(),
          config.listen().host(),
          port,
          loops,
          (System.nanoTime() - t0) / 1_000_000);
      return new Keydir(config, embedded, vertx, database, deploymentId, port, adminToken);
    } catch (Exception e) {
      if (vertx != null) vertx.close().await();
      embedded.ifPresent(EmbeddedDatabase::close);
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
  }

  private static void sampleStock(
      Vertx vertx, io.vertx.sqlclient.Pool pool, Metrics metrics, long intervalMs) {
    OneTimeKeyStore store = new OneTimeKeyStore();
    RetentionStore sizes = new RetentionStore();
    Runnable sample =
        () -> {
          store
              .countAvailable(pool)
              .onSuccess(metrics::oneTimeKeysAvailable)
              .onFailure(e -> LOG.debug("one-time key stock sample failed: {}", e.toString()));
          sizes
              .estimatedRows(pool, Metrics.TABLES)
              .onSuccess(metrics::tableRows)
              .onFailure(e -> LOG.debug("table size sample failed: {}", e.toString()));
        };
    sample.run();
    vertx.setPeriodic(intervalMs, id -> sample.run());
  }

  /**
   * A seed that does not decrypt means the configured key-encryption key is not the one used
   * before.
   */
  private static void loadKeyRing(KeyRing ring) throws Exception {
    try {
      ring.refresh().await(30, TimeUnit.SECONDS);
    } catch (SecretBox.WrongKeyException e) {
      throw new ConfigException(
          "key_encryption_key cannot decrypt the stored signing keys: it is not the key they "
              + "were encrypted with ("
              + e.getMessage()
              + ")");
    }
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    String host = config.listen().host().equals("0.0.0.0") ? "127.0.0.1" : config.listen().host();
    return "http://" + host + ":" + port;
  }

  public String adminToken() {
    return adminToken;
  }

  public Database database() {
    return database;
  }

  /** Graceful stop: stop accepting and finish in-flight requests, close the pool, stop Postgres. */
  @Override
  public void close() {
    LOG.info("keydir stopping");
    try {
      vertx.undeploy(deploymentId).await(config.shutdownGraceMs() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("HTTP shutdown: {}", e.toString());
    }
    try {
      database.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing pool: {}", e.toString());
    }
    embedded.ifPresent(EmbeddedDatabase::close);
    LOG.info("keydir stopped");
  }

  /**
   * A listener of one verticle for a private API (internal, operator): at most 1,000 connections.
   */
  private static void sideListener(
      Vertx vertx,
      KeydirConfig config,
      java.util.function.Function<Vertx, io.vertx.ext.web.Router> routes,
      String host,
      int port)
      throws java.util.concurrent.TimeoutException {
    ConnectionGate connections = new ConnectionGate(1_000, config.listen().requestReadTimeoutMs());
    vertx
        .deployVerticle(
            () -> new HttpVerticle(routes, host, port, config.shutdownGraceMs(), connections),
            new DeploymentOptions().setInstances(1))
        .await(60, TimeUnit.SECONDS);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /** The network transport this process runs on: "epoll", or "nio (why not epoll)". */
  public String transport() {
    return transport(vertx);
  }

  /** "epoll" where Netty's native transport loaded (Linux x86-64), else "nio" and why. */
  static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) return "epoll";
    Throwable why = vertx.unavailableNativeTransportCause();
    return why == null ? "nio" : "nio (" + why.getMessage() + ")";
  }
}
