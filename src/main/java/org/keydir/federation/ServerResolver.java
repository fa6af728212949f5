package org.keydir.federation;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where to reach a server (server-server spec "Resolving server names"): a configured base URL
 * first; else an IP literal or explicit port is used directly; else {@code /.well-known/matrix/server}
 * (cached for an hour, also when absent), else {@code https://<name>:8448}. (SRV records are not
 * consulted: a documented difference.)
 */
public final class ServerResolver {
  private static final long WELL_KNOWN_CACHE_MS = 3_600_000;
  private final Map<String, String> configured;
  private final WebClient http;
  private final Clock clock;
  private final long timeoutMs;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(String baseUrl, long until) {}

  public ServerResolver(Map<String, String> configured, WebClient http, Clock clock, long timeoutMs) {
    this.configured = Map.copyOf(configured);
    this.http = http;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  public Future<String> baseUrl(String serverName) {
    String fixed = configured.get(serverName);
    if (fixed != null) return Future.succeededFuture(fixed);
    if (hasExplicitPort(serverName) || isIpLiteral(serverName)) {
      return Future.succeededFuture("https://" + (hasExplicitPort(serverName) ? serverName : serverName + ":8448"));
    }
    Cached c = cache.get(serverName);
    if (c != null && c.until() > clock.millis()) return Future.succeededFuture(c.baseUrl());
    return http.getAbs("https://" + serverName + "/.well-known/matrix/server").timeout(timeoutMs).send()
        .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject().getString("m.server") : null)
        .otherwise(err -> null)
        .map(delegated -> {
          String base = delegated == null ? "https://" + serverName + ":8448"
              : "https://" + (hasExplicitPort(delegated) ? delegated : delegated + ":8448");
          cache.put(serverName, new Cached(base, clock.millis() + WELL_KNOWN_CACHE_MS));
          return base;
        });
  }

  private static boolean hasExplicitPort(String name) {
    int close = name.lastIndexOf(']');
    int colon = name.lastIndexOf(':');
    return colon > close && colon > 0 && !name.startsWith("[") || (name.startsWith("[") && close > 0 && colon > close);
  }

  private static boolean isIpLiteral(String name) {
    return name.startsWith("[") || name.matches("[0-9.]+");
  }
}
