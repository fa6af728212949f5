package org.keydir.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.keydir.keys.ClaimedKey;

/**
 * keydir's Prometheus metrics (product.md "Operations"): Vert.x's own HTTP server metrics with a
 * latency histogram per route template, method and status ({@code
 * vertx_http_server_response_time_seconds}), plus keydir's counters of keys handed out and the
 * one-time key stock. One registry per process.
 */
public final class Metrics {
  private static final String HTTP_TIMER = "vertx.http.server.response.time";
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter oneTimeKeysClaimed;
  private final Counter fallbackKeysClaimed;
  private final AtomicLong oneTimeKeysAvailable = new AtomicLong(-1);

  /** The methods keydir serves; any other method name a client sends is counted as "OTHER". */
  private static final java.util.Set<String> KNOWN_METHODS =
      java.util.Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");

  public Metrics() {
    // Labels hold only bounded values: a stranger's method name or an unmatched path never becomes
    // a time series of its own (24,000 made-up methods once filled the registry).
    registry
        .config()
        .meterFilter(
            MeterFilter.replaceTagValues("method", m -> KNOWN_METHODS.contains(m) ? m : "OTHER"));
    registry
        .config()
        .meterFilter(
            MeterFilter.replaceTagValues("route", r -> r == null || r.isEmpty() ? "unmatched" : r));
    // Meters per remote host (HTTP client pools, connections) would grow with every origin a
    // stranger names: none are registered.
    registry
        .config()
        .meterFilter(
            MeterFilter.deny(
                id ->
                    id.getName().startsWith("vertx.http.client")
                        || id.getName().startsWith("vertx.net.client")
                        || "http".equals(id.getTag("pool_type"))
                        || "http".equals(id.getTag("pool.type"))));
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(HTTP_TIMER)) return config;
                return DistributionStatisticConfig.builder()
                    .percentilesHistogram(true)
                    .build()
                    .merge(config);
              }
            });
    oneTimeKeysClaimed =
        Counter.builder("keydir.one_time_keys.claimed")
            .description("one-time keys handed out by claims (local clients and federation)")
            .register(registry);
    fallbackKeysClaimed =
        Counter.builder("keydir.fallback_keys.claimed")
            .description("claims answered with a fallback key because no one-time key was left")
            .register(registry);
    Gauge.builder("keydir.one_time_keys.available", oneTimeKeysAvailable, AtomicLong::get)
        .description(
            "one-time keys stored and not yet claimed, all devices (sampled; -1 before the first sample)")
        .register(registry);
    // after the filters (Micrometer warns otherwise). JVM and process: memory, GC, threads,
    // classes, CPU, uptime, open file descriptors
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * A Vert.x instance whose HTTP server reports into this registry (route templates, never raw
   * paths).
   */
  public Vertx newVertx(VertxOptions options) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setDisabledMetricsCategories(
                java.util.Set.of(
                    io.vertx.micrometer.MetricsDomain.HTTP_CLIENT.name(),
                    io.vertx.micrometer.MetricsDomain.NET_CLIENT.name()))
            .setLabels(
                java.util.EnumSet.of(
                    Label.HTTP_ROUTE,
                    Label.HTTP_METHOD,
                    Label.HTTP_CODE,
                    // pools are few and named by keydir (HTTP client pools, one per remote host,
                    // are denied above);
                    // without these labels two pools collide on one gauge id and Micrometer warns
                    // at every start
                    Label.POOL_TYPE,
                    Label.POOL_NAME));
    return Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /**
   * Sizes of the federation caches a stranger can fill, each bounded by
   * federation.max_cached_servers.
   */
  public void federationCaches(
      java.util.function.LongSupplier resolvedServers,
      java.util.function.LongSupplier peerKeySets,
      java.util.function.LongSupplier recentKeyRequests,
      java.util.function.LongSupplier backoffs,
      java.util.function.LongSupplier outboundInFlight) {
    gauge(
        "keydir.federation.resolved_servers",
        "server names with a cached base URL",
        resolvedServers);
    gauge(
        "keydir.federation.peer_key_sets",
        "peers whose verify keys are held in memory",
        peerKeySets);
    gauge(
        "keydir.federation.recent_key_requests",
        "(server, key id) pairs asked for within the refetch interval",
        recentKeyRequests);
    gauge("keydir.federation.backoffs", "destinations remembered as failing", backoffs);
    gauge(
        "keydir.federation.outbound_in_flight",
        "outbound federation requests in flight",
        outboundInFlight);
  }

  /** keydir's tables, each with a row-count gauge (a fixed list: bounded labels). */
  public static final List<String> TABLES =
      List.of(
          "devices",
          "access_tokens",
          "device_keys",
          "one_time_keys",
          "fallback_keys",
          "audit_log",
          "server_signing_keys",
          "peer_signing_keys",
          "device_list_positions",
          "device_list_changes",
          "cross_signing_keys",
          "key_signatures",
          "cross_signing_approvals",
          "device_list_tracking",
          "federation_interest",
          "federation_outbox",
          "federation_destinations",
          "federation_sent_heads");

  private final java.util.Map<String, AtomicLong> tableRows =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * From pg_class.reltuples (the planner's estimate, refreshed by autovacuum/ANALYZE): no table
   * scans.
   */
  public void tableRows(java.util.Map<String, Long> rows) {
    rows.forEach(
        (table, n) -> {
          if (!TABLES.contains(table)) return;
          tableRows
              .computeIfAbsent(
                  table,
                  t -> {
                    AtomicLong v = new AtomicLong();
                    Gauge.builder("keydir.table.rows", v, AtomicLong::get)
                        .tag("table", t)
                        .description("estimated rows (pg_class.reltuples)")
                        .register(registry);
                    return v;
                  })
              .set(n);
        });
  }

  private final AtomicLong outboxQueued = new AtomicLong();
  private final AtomicLong outboxOldestMs = new AtomicLong();
  private volatile boolean outboxGauges;

  /** Host mode's federation outbox: rows queued (all destinations) and the age of the oldest. */
  public void outbox(long queued, long oldestAgeMs) {
    if (!outboxGauges) {
      outboxGauges = true;
      gauge(
          "keydir.federation.outbox.queued",
          "EDUs queued for remote servers, not yet accepted",
          outboxQueued::get);
      Gauge.builder(
              "keydir.federation.outbox.oldest.age.seconds", () -> outboxOldestMs.get() / 1000.0)
          .description("age of the oldest undelivered EDU")
          .register(registry);
    }
    outboxQueued.set(queued);
    outboxOldestMs.set(oldestAgeMs);
  }

  /** Per destination (servers that asked about our users: bounded by federation_interest). */
  public void outboxOutcome(String destination, boolean delivered) {
    io.micrometer.core.instrument.Counter.builder(
            delivered ? "keydir.federation.outbox.deliveries" : "keydir.federation.outbox.failures")
        .description(
            delivered ? "transactions of EDUs accepted" : "transactions of EDUs that failed")
        .tag("destination", destination)
        .register(registry)
        .increment();
  }

  public void openConnections(java.util.function.LongSupplier open) {
    gauge(
        "keydir.http.open_connections",
        "client/federation connections open now (listen.max_connections caps it)",
        open);
  }

  private void gauge(String name, String description, java.util.function.LongSupplier value) {
    // the Supplier form holds the supplier strongly (the object form would let it be collected:
    // NaN)
    Gauge.builder(name, () -> (double) value.getAsLong())
        .description(description)
        .register(registry);
  }

  public void claimed(List<ClaimedKey> keys) {
    long fallbacks = keys.stream().filter(ClaimedKey::fallback).count();
    fallbackKeysClaimed.increment(fallbacks);
    oneTimeKeysClaimed.increment(keys.size() - fallbacks);
  }

  public void oneTimeKeysAvailable(long count) {
    oneTimeKeysAvailable.set(count);
  }

  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }
}
