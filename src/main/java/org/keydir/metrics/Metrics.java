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
 * latency histogram per route template, method and status ({@code vertx_http_server_response_time_seconds}),
 * plus keydir's counters of keys handed out and the one-time key stock. One registry per process.
 */
public final class Metrics {
  private static final String HTTP_TIMER = "vertx.http.server.response.time";
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter oneTimeKeysClaimed;
  private final Counter fallbackKeysClaimed;
  private final AtomicLong oneTimeKeysAvailable = new AtomicLong(-1);

  public Metrics() {
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(HTTP_TIMER)) return config;
        return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
      }
    });
    oneTimeKeysClaimed = Counter.builder("keydir.one_time_keys.claimed")
        .description("one-time keys handed out by claims (local clients and federation)").register(registry);
    fallbackKeysClaimed = Counter.builder("keydir.fallback_keys.claimed")
        .description("claims answered with a fallback key because no one-time key was left").register(registry);
    Gauge.builder("keydir.one_time_keys.available", oneTimeKeysAvailable, AtomicLong::get)
        .description("one-time keys stored and not yet claimed, all devices (sampled; -1 before the first sample)")
        .register(registry);
  }

  /** A Vert.x instance whose HTTP server reports into this registry (route templates, never raw paths). */
  public Vertx newVertx(VertxOptions options) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(java.util.EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    return Vertx.builder().with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
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
