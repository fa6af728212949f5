package org.keydir.config;

import static org.keydir.config.ConfigException.check;

import java.nio.file.Path;

/**
 * The whole configuration, immutable, validated once at startup. YAML keys are the snake_case names
 * of these components; every key can be overridden by an environment variable {@code KEYDIR_<PATH>}
 * (the key path upper-cased and joined with '_', e.g. {@code listen.port} is {@code
 * KEYDIR_LISTEN_PORT}). {@link #defaults()} is the one place that lists every default.
 */
public record KeydirConfig(
    String serverName,
    Listen listen,
    String dataDir,
    Database database,
    String adminToken,
    Limits limits,
    RateLimit rateLimit,
    Federation federation,
    Rotation rotation,
    Metrics metrics,
    Audit audit,
    Cleanup cleanup,
    CrossSigning crossSigning,
    Auth auth,
    ServerKeys serverKeys,
    Internal internal,
    String keyEncryptionKey,
    long shutdownGraceMs) {

  public KeydirConfig {
    check(
        serverName != null && ServerNames.isValid(serverName),
        "server_name must be a valid Matrix server name (got '%s')",
        serverName);
    check(listen != null, "listen must be set");
    check(dataDir != null && !dataDir.isBlank(), "data_dir must not be empty");
    check(database != null, "database must be set");
    check(
        adminToken == null || adminToken.length() >= 16,
        "admin_token must be at least 16 characters (or unset to generate one)");
    check(limits != null, "limits must be set");
    check(rateLimit != null, "rate_limit must be set");
    check(federation != null, "federation must be set");
    check(rotation != null, "rotation must be set");
    check(metrics != null, "metrics must be set");
    check(audit != null, "audit must be set");
    check(cleanup != null, "cleanup must be set");
    check(crossSigning != null, "cross_signing must be set");
    check(auth != null, "auth must be set");
    check(serverKeys != null, "server_keys must be set");
    check(internal != null, "internal must be set");
    check(
        keyEncryptionKey == null || keyEncryptionKey.matches("[A-Za-z0-9+/]{43}=?"),
        "key_encryption_key must be 32 bytes in base64 (e.g. from: head -c32 /dev/urandom | base64)");
    check(shutdownGraceMs >= 0, "shutdown_grace_ms must be >= 0 (got %d)", shutdownGraceMs);
  }

  /**
   * The client/federation listener. {@code max_connections} caps open connections per process (set
   * the OS limit above it: {@code ulimit -n}, systemd {@code LimitNOFILE}); a connection stalled
   * for {@code request_read_timeout_ms} (idle, or dripping a request) is closed.
   */
  /**
   * {@code operator}: host:port of a listener serving only the admin API and /metrics (empty: the
   * client listener serves them).
   */
  public record Listen(
      String host, int port, int maxConnections, long requestReadTimeoutMs, String operator) {
    public Listen(String host, int port, int maxConnections, long requestReadTimeoutMs) {
      this(host, port, maxConnections, requestReadTimeoutMs, "");
    }

    public Listen {
      operator = operator == null ? "" : operator;
      check(
          operator.isEmpty() || isHostPort(operator),
          "listen.operator must be host:port (got '%s')",
          operator);
      check(host != null && !host.isBlank(), "listen.host must not be empty");
      check(port >= 0 && port <= 65535, "listen.port must be 0..65535 (got %d)", port);
      check(maxConnections >= 1, "listen.max_connections must be >= 1 (got %d)", maxConnections);
      check(
          requestReadTimeoutMs >= 100,
          "listen.request_read_timeout_ms must be >= 100 (got %d)",
          requestReadTimeoutMs);
    }

    public boolean operatorListener() {
      return !operator.isEmpty();
    }

    public String operatorHost() {
      return hostOf(operator);
    }

    public int operatorPort() {
      return portOf(operator);
    }
  }

  /** {@code url} null means: start the embedded PostgreSQL under {@code data_dir}. */
  public record Database(
      String url,
      int poolSize,
      long connectTimeoutMs,
      String startupTimeout,
      String citus,
      int pipelinedConnections,
      int pipelineDepth) {
    public Database {
      check(
          citus != null && (citus.equals("auto") || citus.equals("on") || citus.equals("off")),
          "database.citus must be auto, on or off (got '%s')",
          citus);
      check(
          Durations.parse(startupTimeout, "database.startup_timeout").toMillis() >= 0,
          "database.startup_timeout must not be negative (got '%s')",
          startupTimeout);
      check(
          url == null || url.startsWith("postgresql://") || url.startsWith("postgres://"),
          "database.url must look like postgresql://user:password@host:port/database (got '%s')",
          redacted(url));
      check(
          poolSize >= 1 && poolSize <= 1000,
          "database.pool_size must be 1..1000 (got %d)",
          poolSize);
      check(
          pipelinedConnections >= 0 && pipelinedConnections <= 1000,
          "database.pipelined_connections must be 0..1000 (got %d)",
          pipelinedConnections);
      check(
          pipelineDepth >= 1 && pipelineDepth <= 256,
          "database.pipeline_depth must be 1..256 (got %d)",
          pipelineDepth);
      check(
          connectTimeoutMs >= 100,
          "database.connect_timeout_ms must be >= 100 (got %d)",
          connectTimeoutMs);
    }

    public boolean embedded() {
      return url == null;
    }

    public long startupTimeoutMs() {
      return Durations.parse(startupTimeout, "database.startup_timeout").toMillis();
    }

    /** The URL with any password replaced, for error messages and logs. */
    public static String redacted(String url) {
      if (url == null) return null;
      int at = url.lastIndexOf('@');
      int scheme = url.indexOf("://");
      if (at < 0) return url;
      return (scheme >= 0 && scheme < at ? url.substring(0, scheme + 3) : "")
          + "***@"
          + url.substring(at + 1);
    }
  }

  /**
   * Per request and per device. {@code max_otks_per_device} bounds a device's available one-time
   * keys over all algorithms and {@code max_algorithms_per_device} the distinct algorithms it may
   * use (algorithm names are free text); claims and queries name at most so many devices / users.
   */
  public record Limits(
      long maxBodyBytes,
      int maxOtksPerAlgorithm,
      int maxKeysPerUpload,
      int maxOtksPerDevice,
      int maxAlgorithmsPerDevice,
      int maxDevicesPerClaim,
      int maxUsersPerQuery,
      String claimedKeyRetention) {
    public Limits {
      check(
          Durations.parse(claimedKeyRetention, "limits.claimed_key_retention").toMillis() >= 1000,
          "limits.claimed_key_retention must be at least 1s (got '%s')",
          claimedKeyRetention);
      check(
          maxOtksPerDevice >= maxOtksPerAlgorithm,
          "limits.max_otks_per_device must be >= limits.max_otks_per_algorithm (got %d)",
          maxOtksPerDevice);
      check(
          maxAlgorithmsPerDevice >= 1,
          "limits.max_algorithms_per_device must be >= 1 (got %d)",
          maxAlgorithmsPerDevice);
      check(
          maxDevicesPerClaim >= 1,
          "limits.max_devices_per_claim must be >= 1 (got %d)",
          maxDevicesPerClaim);
      check(
          maxUsersPerQuery >= 1,
          "limits.max_users_per_query must be >= 1 (got %d)",
          maxUsersPerQuery);
      check(maxBodyBytes >= 1024, "limits.max_body_bytes must be >= 1024 (got %d)", maxBodyBytes);
      check(
          maxOtksPerAlgorithm > 0,
          "limits.max_otks_per_algorithm must be > 0 (got %d)",
          maxOtksPerAlgorithm);
      check(
          maxKeysPerUpload > 0 && maxKeysPerUpload <= maxOtksPerAlgorithm,
          "limits.max_keys_per_upload must be 1..limits.max_otks_per_algorithm (got %d)",
          maxKeysPerUpload);
    }

    public long claimedKeyRetentionMs() {
      return Durations.parse(claimedKeyRetention, "limits.claimed_key_retention").toMillis();
    }
  }

  /**
   * Per-device token bucket for client endpoints and per-origin bucket for federation endpoints,
   * per keydir process (N replicas allow N times the rate). The admin API is never limited.
   */
  public record RateLimit(
      boolean enabled,
      int requestsPerSecond,
      int burst,
      int federationRequestsPerSecond,
      int federationBurst) {
    public RateLimit {
      check(
          federationRequestsPerSecond > 0,
          "rate_limit.federation_requests_per_second must be > 0 (got %d)",
          federationRequestsPerSecond);
      check(
          federationBurst >= 1,
          "rate_limit.federation_burst must be >= 1 (got %d)",
          federationBurst);
      check(
          requestsPerSecond > 0,
          "rate_limit.requests_per_second must be > 0 (got %d)",
          requestsPerSecond);
      check(burst >= 1, "rate_limit.burst must be >= 1 (got %d)", burst);
    }
  }

  /**
   * Federation. {@code servers} maps server names to base URLs, {@code
   * "b.example=http://10.0.0.2:8008,…"} (tests, internal routing; trusted as given); other servers
   * are found by the spec's discovery (.well-known, then :8448) and reached only at public
   * addresses unless {@code allow_private_addresses}. Everything a stranger can make us do is
   * bounded: servers per request, requests in flight, cached servers, response bytes, and a failing
   * destination backs off.
   */
  public record Federation(
      String servers,
      long requestTimeoutMs,
      long keyRefetchIntervalMs,
      boolean allowPrivateAddresses,
      int maxServersPerRequest,
      int maxConcurrentRequests,
      int maxCachedServers,
      long maxResponseBytes,
      long backoffInitialMs,
      long backoffMaxMs,
      long outboxIntervalMs,
      long outboxLeaseMs,
      String outboxRetention) {
    public Federation {
      check(
          outboxIntervalMs >= 50,
          "federation.outbox_interval_ms must be >= 50 (got %d)",
          outboxIntervalMs);
      check(
          outboxLeaseMs >= 500,
          "federation.outbox_lease_ms must be >= 500 (got %d)",
          outboxLeaseMs);
      check(
          Durations.parse(outboxRetention, "federation.outbox_retention").toMillis() >= 60_000,
          "federation.outbox_retention must be at least 1m (got '%s')",
          outboxRetention);
      check(servers != null, "federation.servers must be a string (empty for none)");
      serverMap(servers);
      check(
          requestTimeoutMs >= 100,
          "federation.request_timeout_ms must be >= 100 (got %d)",
          requestTimeoutMs);
      check(
          keyRefetchIntervalMs >= 0,
          "federation.key_refetch_interval_ms must be >= 0 (got %d)",
          keyRefetchIntervalMs);
      check(
          maxServersPerRequest >= 1,
          "federation.max_servers_per_request must be >= 1 (got %d)",
          maxServersPerRequest);
      check(
          maxConcurrentRequests >= 1,
          "federation.max_concurrent_requests must be >= 1 (got %d)",
          maxConcurrentRequests);
      check(
          maxCachedServers >= 10,
          "federation.max_cached_servers must be >= 10 (got %d)",
          maxCachedServers);
      check(
          maxResponseBytes >= 1024,
          "federation.max_response_bytes must be >= 1024 (got %d)",
          maxResponseBytes);
      check(
          backoffInitialMs >= 0,
          "federation.backoff_initial_ms must be >= 0 (got %d)",
          backoffInitialMs);
      check(
          backoffMaxMs >= backoffInitialMs,
          "federation.backoff_max_ms must be >= federation.backoff_initial_ms");
    }

    public java.util.Map<String, String> serverMap() {
      return serverMap(servers);
    }

    public long outboxRetentionMs() {
      return Durations.parse(outboxRetention, "federation.outbox_retention").toMillis();
    }

    private static java.util.Map<String, String> serverMap(String servers) {
      java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
      for (String entry : servers.split(",")) {
        if (entry.isBlank()) continue;
        int eq = entry.indexOf('=');
        check(
            eq > 0
                && (entry.substring(eq + 1).trim().startsWith("http://")
                    || entry.substring(eq + 1).trim().startsWith("https://")),
            "federation.servers entries must be name=http(s)://host:port (got '%s')",
            entry.trim());
        out.put(
            entry.substring(0, eq).trim(), entry.substring(eq + 1).trim().replaceAll("/+$", ""));
      }
      return out;
    }
  }

  /**
   * Prometheus metrics at {@code GET /metrics} on the client listener (no auth: keep it off the
   * public internet); {@code stock_interval} is how often the one-time key stock gauge is sampled.
   */
  public record Metrics(boolean enabled, String stockInterval) {
    public Metrics {
      check(
          Durations.parse(stockInterval, "metrics.stock_interval").toMillis() >= 1000,
          "metrics.stock_interval must be at least 1s (got '%s')",
          stockInterval);
    }

    public long stockIntervalMs() {
      return Durations.parse(stockInterval, "metrics.stock_interval").toMillis();
    }
  }

  /**
   * Cross-signing. {@code approval_url}: the page a user is sent to (UIA stage {@code m.oauth},
   * MSC4312) to ask the operator to approve replacing their identity; empty: none configured.
   */
  public record CrossSigning(String approvalUrl) {
    public CrossSigning {
      check(approvalUrl != null, "cross_signing.approval_url must be a string (empty for none)");
    }
  }

  /**
   * Who checks client access tokens. {@code local}: keydir's own tokens (admin API / CLI issue
   * them). {@code delegated}: the homeserver's tokens, checked by {@code verifier} — {@code whoami}
   * ({@code GET host_url/_matrix/client/v3/account/whoami}) or {@code introspection} (RFC 7662 at
   * {@code introspection_url} with {@code client_id}/{@code client_secret}, as
   * matrix-authentication-service serves it). Verdicts are cached per token hash for {@code
   * cache_ttl} (at most 10 min; a rejection for {@code negative_cache_ttl}); host calls have a
   * {@code host_timeout_ms} deadline; at most {@code max_cached_tokens} verdicts are kept.
   */
  public record Auth(
      String mode,
      String verifier,
      String hostUrl,
      String introspectionUrl,
      String clientId,
      String clientSecret,
      String cacheTtl,
      String negativeCacheTtl,
      long hostTimeoutMs,
      int maxCachedTokens) {
    public Auth {
      hostUrl = hostUrl == null ? "" : hostUrl.replaceAll("/+$", "");
      introspectionUrl = introspectionUrl == null ? "" : introspectionUrl;
      clientId = clientId == null ? "" : clientId;
      clientSecret = clientSecret == null ? "" : clientSecret;
      check(
          "local".equals(mode) || "delegated".equals(mode),
          "auth.mode must be local or delegated (got '%s')",
          mode);
      check(
          "whoami".equals(verifier) || "introspection".equals(verifier),
          "auth.verifier must be whoami or introspection (got '%s')",
          verifier);
      long ttl = Durations.parse(cacheTtl, "auth.cache_ttl").toMillis();
      check(ttl >= 0 && ttl <= 600_000, "auth.cache_ttl must be 0..10m (got '%s')", cacheTtl);
      long negative = Durations.parse(negativeCacheTtl, "auth.negative_cache_ttl").toMillis();
      check(
          negative >= 0 && negative <= 60_000,
          "auth.negative_cache_ttl must be 0..60s (got '%s')",
          negativeCacheTtl);
      check(hostTimeoutMs >= 100, "auth.host_timeout_ms must be >= 100 (got %d)", hostTimeoutMs);
      check(
          maxCachedTokens >= 100,
          "auth.max_cached_tokens must be >= 100 (got %d)",
          maxCachedTokens);
      if ("delegated".equals(mode) && "whoami".equals(verifier)) {
        check(
            isHttpUrl(hostUrl),
            "auth.host_url must be the homeserver's http(s) base URL when auth.mode is delegated "
                + "(got '%s')",
            hostUrl);
      }
      if ("delegated".equals(mode) && "introspection".equals(verifier)) {
        check(
            isHttpUrl(introspectionUrl),
            "auth.introspection_url must be an http(s) URL for auth.verifier "
                + "introspection (got '%s')",
            introspectionUrl);
        check(
            !clientId.isEmpty() && !clientSecret.isEmpty(),
            "auth.client_id and auth.client_secret must be set for auth.verifier introspection");
      }
    }

    public boolean delegated() {
      return "delegated".equals(mode);
    }

    public long cacheTtlMs() {
      return Durations.parse(cacheTtl, "auth.cache_ttl").toMillis();
    }

    public long negativeCacheTtlMs() {
      return Durations.parse(negativeCacheTtl, "auth.negative_cache_ttl").toMillis();
    }

    private static boolean isHttpUrl(String url) {
      return url.startsWith("http://") || url.startsWith("https://");
    }
  }

  /**
   * Which key signs outbound federation. {@code own}: keydir's rotated keys, published at {@code
   * /_matrix/key/v2/server}. {@code host}: the homeserver's own key, read from {@code
   * host_signing_key_path} (Synapse's format); never rotated, never published by keydir.
   */
  public record ServerKeys(String mode, String hostSigningKeyPath) {
    public ServerKeys {
      hostSigningKeyPath = hostSigningKeyPath == null ? "" : hostSigningKeyPath;
      check(
          "own".equals(mode) || "host".equals(mode),
          "server_keys.mode must be own or host (got '%s')",
          mode);
      check(
          !"host".equals(mode) || !hostSigningKeyPath.isEmpty(),
          "server_keys.host_signing_key_path must name the homeserver's signing key file when server_keys.mode is host");
    }

    public boolean host() {
      return "host".equals(mode);
    }
  }

  /**
   * The host internal API ({@code /_keydir/internal/v1}): off unless {@code token} is set; on the
   * client listener, or on its own {@code listen} address ({@code host:port}) so it never faces the
   * internet.
   */
  public record Internal(String token, String listen) {
    public Internal {
      listen = listen == null ? "" : listen;
      check(
          token == null || token.length() >= 16,
          "internal.token must be at least 16 characters (or unset: no internal API)");
      check(
          listen.isEmpty() || isHostPort(listen),
          "internal.listen must be host:port (got '%s')",
          listen);
    }

    public boolean enabled() {
      return token != null;
    }

    public String listenHost() {
      return hostOf(listen);
    }

    public int listenPort() {
      return portOf(listen);
    }
  }

  /** How long audit rows are kept ({@code audit.retention}, default 1 year). */
  public record Audit(String retention) {
    public Audit {
      check(
          Durations.parse(retention, "audit.retention").toMillis() >= 1000,
          "audit.retention must be at least 1s");
    }

    public long retentionMs() {
      return Durations.parse(retention, "audit.retention").toMillis();
    }
  }

  /**
   * The retention cleanup: one batch of at most {@code batch_size} rows per table every {@code
   * interval}.
   */
  public record Cleanup(String interval, int batchSize) {
    public Cleanup {
      check(
          Durations.parse(interval, "cleanup.interval").toMillis() >= 100,
          "cleanup.interval must be at least 100ms");
      check(
          batchSize >= 1 && batchSize <= 100_000,
          "cleanup.batch_size must be 1..100000 (got %d)",
          batchSize);
    }

    public long intervalMs() {
      return Durations.parse(interval, "cleanup.interval").toMillis();
    }
  }

  /** Server signing key rotation; durations like 90s, 15m, 1h, 7d (docs/server-keys.md). */
  public record Rotation(
      String pendingDuration,
      String rotationPeriod,
      String expiredRetention,
      String refreshInterval,
      String publishedValidity) {
    public Rotation {
      policy(pendingDuration, rotationPeriod, expiredRetention, refreshInterval, publishedValidity);
    }

    public org.keydir.config.RotationConfig policy() {
      return policy(
          pendingDuration, rotationPeriod, expiredRetention, refreshInterval, publishedValidity);
    }

    private static org.keydir.config.RotationConfig policy(
        String pending, String period, String retention, String refresh, String validity) {
      return new org.keydir.config.RotationConfig(
          Durations.parse(pending, "rotation.pending_duration"),
          Durations.parse(period, "rotation.rotation_period"),
          Durations.parse(retention, "rotation.expired_retention"),
          Durations.parse(refresh, "rotation.refresh_interval"),
          Durations.parse(validity, "rotation.published_validity"));
    }
  }

  /** A side listener's address, {@code host:port} (listen.operator, internal.listen). */
  private static boolean isHostPort(String s) {
    return s.matches("[^\\s]+:[0-9]{1,5}");
  }

  private static String hostOf(String hostPort) {
    return hostPort.substring(0, hostPort.lastIndexOf(':'));
  }

  private static int portOf(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  public static KeydirConfig defaults() {
    return new KeydirConfig(
        "localhost",
        new Listen("127.0.0.1", 8008, 10_000, 30_000),
        "./data",
        new Database(null, 16, 5_000, "60s", "auto", 8, 4),
        null,
        new Limits(1024 * 1024, 10_000, 1_000, 20_000, 8, 5_000, 5_000, "30d"),
        new RateLimit(true, 20, 100, 50, 200),
        new Federation(
            "",
            10_000,
            60_000,
            false,
            100,
            256,
            10_000,
            4L * 1024 * 1024,
            5_000,
            3_600_000,
            1_000,
            30_000,
            "7d"),
        new Rotation("1h", "30d", "7d", "1m", "1d"),
        new Metrics(true, "1m"),
        new Audit("365d"),
        new Cleanup("5s", 5_000),
        new CrossSigning(""),
        new Auth("local", "whoami", "", "", "", "", "60s", "5s", 5_000, 100_000),
        new ServerKeys("own", ""),
        new Internal(null, ""),
        null,
        30_000);
  }

  public Path dataPath() {
    return Path.of(dataDir);
  }
}
