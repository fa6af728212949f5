package org.keydir.federation;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.federation.FederationClient.RemoteFailure;

/**
 * Every outbound federation call goes through here, so every one is bounded:
 *
 * <ul>
 *   <li>a <b>deadline</b> for the whole exchange (not an idle timeout: a peer dripping a byte every
 *       half second is cut off at the deadline);
 *   <li>the response body <b>capped while it streams</b> (the connection is reset past the cap,
 *       nothing beyond it is buffered);
 *   <li>at most {@code maxConcurrent} calls in flight per process (beyond: failed at once);
 *   <li>the destination's addresses resolved off the event loop and checked by {@link
 *       AddressPolicy} before connecting; the connection goes to the checked address (no second
 *       lookup an attacker's DNS could answer differently), with the name kept for {@code Host} and
 *       TLS.
 * </ul>
 *
 * Destinations the operator configured ({@code federation.servers}) are trusted as given.
 */
public final class OutboundHttp {
  public record Response(int status, Buffer body, MultiMap headers) {
    public Response(int status, Buffer body) {
      this(status, body, MultiMap.caseInsensitiveMultiMap());
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final WorkerExecutor dns;
  private final boolean allowPrivate;
  private final int maxConcurrent;
  private final AtomicInteger inFlight = new AtomicInteger();

  public OutboundHttp(Vertx vertx, boolean allowPrivate, int maxConcurrent) {
    this(vertx, allowPrivate, maxConcurrent, 4);
  }

  /**
   * {@code connectionsPerServer}: 4 for federation peers; the homeserver in host mode carries every
   * long-polled /sync.
   */
  public OutboundHttp(
      Vertx vertx, boolean allowPrivate, int maxConcurrent, int connectionsPerServer) {
    this.vertx = vertx;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAliveTimeout(30).setVerifyHost(true),
            new io.vertx.core.http.PoolOptions()
                .setHttp1MaxSize(connectionsPerServer)
                .setMaxWaitQueueSize(Math.max(64, connectionsPerServer)));
    this.dns = vertx.createSharedWorkerExecutor("keydir-federation-dns", 4);
    this.allowPrivate = allowPrivate;
    this.maxConcurrent = maxConcurrent;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public Future<Response> send(
      HttpMethod method,
      String absoluteUrl,
      MultiMap headers,
      Buffer body,
      long deadlineMs,
      long maxBytes,
      boolean trusted) {
    return send(method, absoluteUrl, headers, body, deadlineMs, maxBytes, trusted, h -> {});
  }

  /**
   * {@code atDispatch} completes the headers once a connection is ready, just before the request
   * goes out: a request signed with the server's key is signed then, not when it was queued (a
   * request that waited in the pool past a key rotation would carry a key already withdrawn).
   */
  public Future<Response> send(
      HttpMethod method,
      String absoluteUrl,
      MultiMap headers,
      Buffer body,
      long deadlineMs,
      long maxBytes,
      boolean trusted,
      java.util.function.Consumer<MultiMap> atDispatch) {
    if (inFlight.incrementAndGet() > maxConcurrent) {
      inFlight.decrementAndGet();
      return Future.failedFuture(
          new RemoteFailure(503, "too many federation requests in flight here"));
    }
    URI uri;
    try {
      uri = URI.create(absoluteUrl);
      if (uri.getHost() == null) throw new IllegalArgumentException("no host");
    } catch (IllegalArgumentException e) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new RemoteFailure(502, "has no valid address"));
    }
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String host =
        uri.getHost().startsWith("[")
            ? uri.getHost().substring(1, uri.getHost().length() - 1)
            : uri.getHost();
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    long deadline = System.nanoTime() + deadlineMs * 1_000_000;
    Future<SocketAddress> target =
        trusted || allowPrivate
            ? Future.succeededFuture(null)
            : dns.executeBlocking(() -> publicAddress(host, port), false);
    return target
        .compose(
            address ->
                exchange(
                    method,
                    ssl,
                    host,
                    port,
                    address,
                    path,
                    headers,
                    body,
                    Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                    maxBytes,
                    atDispatch))
        .andThen(ar -> inFlight.decrementAndGet());
  }

  private static SocketAddress publicAddress(String host, int port) {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (java.net.UnknownHostException e) {
      throw new RemoteFailure(502, "has no address");
    }
    if (all.length == 0 || !Arrays.stream(all).allMatch(AddressPolicy::isPublic)) {
      throw new RemoteFailure(403, "is not at a public address");
    }
    return SocketAddress.inetSocketAddress(port, all[0].getHostAddress());
  }

  private Future<Response> exchange(
      HttpMethod method,
      boolean ssl,
      String host,
      int port,
      SocketAddress address,
      String path,
      MultiMap headers,
      Buffer body,
      long deadlineMs,
      long maxBytes,
      java.util.function.Consumer<MultiMap> atDispatch) {
    Promise<Response> result = Promise.promise();
    headers.set("User-Agent", "keydir");
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setSsl(ssl)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setHeaders(headers)
            .setIdleTimeout(deadlineMs)
            .setConnectTimeout(deadlineMs);
    if (address != null) options.setServer(address);
    long timer =
        vertx.setTimer(deadlineMs, id -> result.tryFail(new RemoteFailure(504, "timed out")));
    client
        .request(options)
        .onComplete(
            requested -> {
              if (requested.failed()) {
                result.tryFail(new RemoteFailure(502, "could not be reached"));
                return;
              }
              var request = requested.result();
              result
                  .future()
                  .onFailure(e -> request.reset()); // the deadline or the cap: drop the exchange
              atDispatch.accept(request.headers());
              Future<HttpClientResponse> sent = body == null ? request.send() : request.send(body);
              sent.onFailure(e -> result.tryFail(new RemoteFailure(502, "could not be reached")))
                  .onSuccess(response -> readCapped(response, maxBytes, result));
            });
    return result.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private static void readCapped(
      HttpClientResponse response, long maxBytes, Promise<Response> result) {
    String declared = response.getHeader("Content-Length");
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBytes) {
      result.tryFail(new RemoteFailure(502, "sent a response that is too large"));
      return;
    }
    Buffer acc = Buffer.buffer();
    response.handler(
        chunk -> {
          if (acc.length() + (long) chunk.length() > maxBytes) {
            result.tryFail(new RemoteFailure(502, "sent a response that is too large"));
          } else if (!result.future().isComplete()) {
            acc.appendBuffer(chunk);
          }
        });
    response.exceptionHandler(
        e -> result.tryFail(new RemoteFailure(502, "broke off its response")));
    response.endHandler(
        v -> result.tryComplete(new Response(response.statusCode(), acc, response.headers())));
  }

  public Future<Void> close() {
    dns.close();
    return client.close();
  }
}
