package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keydir.config.ServerNames;
import org.keydir.crypto.CanonicalJson;

/**
 * Where to reach a server (server-server spec "Resolving server names"): a configured base URL
 * first; else an IP literal or explicit port is used directly; else {@code
 * /.well-known/matrix/server} (cached for an hour, its absence too), else {@code
 * https://<name>:8448}. (SRV records are not consulted: a documented difference.) The cache is
 * bounded ({@code federation.max_cached_servers}) because any stranger can make us resolve a name;
 * concurrent lookups of one name share one fetch.
 */
public final class ServerResolver {
  private static final Duration WELL_KNOWN_TTL = Duration.ofHours(1);
  private static final long MAX_WELL_KNOWN_BYTES = 16 * 1024;
  private static final long MAX_WELL_KNOWN_MS = 5_000;
  private final Map<String, String> configured;
  private final OutboundHttp http;
  private final Cache<String, String> cache;
  private final Map<String, Future<String>> inFlight = new ConcurrentHashMap<>();

  public ServerResolver(Map<String, String> configured, OutboundHttp http, int maxEntries) {
    this.configured = Map.copyOf(configured);
    this.http = http;
    this.cache =
        Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(WELL_KNOWN_TTL).build();
  }

  public boolean isConfigured(String serverName) {
    return configured.containsKey(serverName);
  }

  public long cachedServers() {
    return cache.estimatedSize();
  }

  public Future<String> baseUrl(String serverName, long timeoutMs) {
    String fixed = configured.get(serverName);
    if (fixed != null) return Future.succeededFuture(fixed);
    if (hasExplicitPort(serverName) || isIpLiteral(serverName)) {
      return Future.succeededFuture(
          "https://" + (hasExplicitPort(serverName) ? serverName : serverName + ":8448"));
    }
    String cached = cache.getIfPresent(serverName);
    if (cached != null) return Future.succeededFuture(cached);
    Promise<String> mine = Promise.promise();
    Future<String> running = inFlight.putIfAbsent(serverName, mine.future());
    if (running != null) return running;
    http.send(
            HttpMethod.GET,
            "https://" + serverName + "/.well-known/matrix/server",
            MultiMap.caseInsensitiveMultiMap(),
            null,
            Math.min(timeoutMs, MAX_WELL_KNOWN_MS),
            MAX_WELL_KNOWN_BYTES,
            false)
        .map(r -> r.status() == 200 ? delegatedServer(r.body().getBytes()) : null)
        .otherwise(err -> null)
        .map(
            delegated -> {
              String base =
                  delegated == null
                      ? "https://" + serverName + ":8448"
                      : "https://" + (hasExplicitPort(delegated) ? delegated : delegated + ":8448");
              cache.put(serverName, base);
              return base;
            })
        .onComplete(
            ar -> {
              inFlight.remove(serverName);
              mine.handle(ar);
            });
    return mine.future();
  }

  private static String delegatedServer(byte[] body) {
    try {
      JsonNode m = CanonicalJson.parse(body).path("m.server");
      return m.isTextual() && ServerNames.isValid(m.textValue()) ? m.textValue() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean hasExplicitPort(String name) {
    int close = name.lastIndexOf(']');
    int colon = name.lastIndexOf(':');
    return colon > close && colon > 0 && !name.startsWith("[")
        || (name.startsWith("[") && close > 0 && colon > close);
  }

  private static boolean isIpLiteral(String name) {
    return name.startsWith("[") || name.matches("[0-9.]+");
  }
}
