package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.RemoteServers;
import org.keydir.serverkeys.OwnKeys;
import org.keydir.serverkeys.SigningKey;

/**
 * Outbound federation: requests signed with our active key (X-Matrix), each bounded by {@link
 * OutboundHttp} (deadline, size cap, address check, concurrency cap) and by the destination's
 * {@link Backoff}. A non-2xx answer or an unparsable body is a failed Future (the caller lists the
 * server in {@code failures} with a generic message; a peer's 500 is never passed on as ours, and
 * nothing about our network is revealed).
 */
public final class FederationClient {
  static final long MAX_KEY_RESPONSE_BYTES = 64 * 1024;
  private final OutboundHttp http;
  private final ServerResolver resolver;
  private final OwnKeys own;
  private final Backoff backoff;
  private final long defaultTimeoutMs;
  private final long maxResponseBytes;

  public FederationClient(
      OutboundHttp http,
      ServerResolver resolver,
      OwnKeys own,
      Backoff backoff,
      long defaultTimeoutMs,
      long maxResponseBytes) {
    this.http = http;
    this.resolver = resolver;
    this.own = own;
    this.backoff = backoff;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.maxResponseBytes = maxResponseBytes;
  }

  public Future<JsonNode> post(String server, String uri, JsonNode content, long timeoutMs) {
    return send(HttpMethod.POST, server, uri, content, timeoutMs);
  }

  /** {@code PUT /_matrix/federation/v1/send/{txnId}} and the like. */
  public Future<JsonNode> put(String server, String uri, JsonNode content, long timeoutMs) {
    return send(HttpMethod.PUT, server, uri, content, timeoutMs);
  }

  private Future<JsonNode> send(
      HttpMethod method, String server, String uri, JsonNode content, long timeoutMs) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    Buffer body = Buffer.buffer(CanonicalJson.encodeUtf8(content));
    // signed when a connection is ready, with the key active then (see OutboundHttp)
    java.util.function.Consumer<MultiMap> sign =
        h -> {
          SigningKey key = own.signingKey();
          h.set(
              "Authorization",
              RequestSignatures.sign(
                      method.name(),
                      uri,
                      own.serverName(),
                      server,
                      content,
                      key.keyId(),
                      key.seed())
                  .format());
        };
    return call(
        server,
        timeoutMs,
        maxResponseBytes,
        (base, remaining) ->
            http.send(
                method,
                base + uri,
                headers,
                body,
                remaining,
                maxResponseBytes,
                resolver.isConfigured(server),
                sign));
  }

  /** The peer's published keys: unauthenticated, as the spec has it. */
  public Future<JsonNode> serverKeys(String server) {
    return call(
        server,
        defaultTimeoutMs,
        MAX_KEY_RESPONSE_BYTES,
        (base, remaining) ->
            http.send(
                HttpMethod.GET,
                base + "/_matrix/key/v2/server",
                MultiMap.caseInsensitiveMultiMap(),
                null,
                remaining,
                MAX_KEY_RESPONSE_BYTES,
                resolver.isConfigured(server)));
  }

  private interface Exchange {
    Future<OutboundHttp.Response> send(String baseUrl, long remainingMs);
  }

  private Future<JsonNode> call(String server, long timeoutMs, long maxBytes, Exchange exchange) {
    if (!backoff.mayCall(server))
      return Future.failedFuture(new RemoteFailure(503, "not ready for retry"));
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    return resolver
        .baseUrl(server, timeoutMs)
        .compose(
            base -> exchange.send(base, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))
        .map(r -> body(server, r))
        .andThen(
            ar -> {
              if (ar.succeeded()) {
                backoff.succeeded(server);
              } else if (!(ar.cause() instanceof RemoteFailure f)
                  || f.status >= 500
                  || f.status == 403) {
                backoff.failed(server);
              }
            });
  }

  private static JsonNode body(String server, OutboundHttp.Response r) {
    if (r.status() / 100 != 2) {
      throw new RemoteFailure(r.status() >= 500 ? 502 : r.status(), "answered " + r.status());
    }
    try {
      return CanonicalJson.parse(r.body().getBytes());
    } catch (RuntimeException e) {
      throw new RemoteFailure(502, "sent a body that is not JSON");
    }
  }

  /**
   * A peer that failed or answered badly; becomes its entry in {@code failures}. Its message is one
   * of a few fixed phrases, safe to show a client.
   */
  public static final class RemoteFailure extends RuntimeException
      implements RemoteServers.Failure {
    public final int status;

    public RemoteFailure(int status, String what) {
      super(what, null, false, false);
      this.status = status;
    }

    @Override
    public int status() {
      return status;
    }

    @Override
    public String publicMessage() {
      return getMessage();
    }
  }
}
