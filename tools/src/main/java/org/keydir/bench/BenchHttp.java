package org.keydir.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * The bench's HTTP client: asynchronous POSTs over at most {@code connections} keep-alive HTTP/1.1
 * connections (one per request in flight), so the concurrency level is exactly the number of
 * requests the server has to work on.
 */
final class BenchHttp implements AutoCloseable {
  private static final long REQUEST_TIMEOUT_MS = 60_000;

  /** A status (or -1 with the failure when no answer came) and the body. */
  record Reply(int status, Buffer body, Throwable failure) {
    boolean ok() {
      return failure == null && status >= 200 && status < 300;
    }

    /** "200", "429", "503", … or "io" when the request got no answer. */
    String statusLabel() {
      return failure != null ? "io" : Integer.toString(status);
    }
  }

  private final HttpClientAgent client;
  private final String host;
  private final int port;
  private final String basePath;

  BenchHttp(Vertx vertx, URI base, int connections) {
    boolean tls = "https".equalsIgnoreCase(base.getScheme());
    this.host = base.getHost();
    this.port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(tls)
                .setKeepAlive(true)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setDefaultHost(host)
                .setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** Never a failed future: a transport failure is a {@link Reply} with status -1. */
  Future<Reply> post(String path, String bearer, Buffer body) {
    RequestOptions opts =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(host)
            .setPort(port)
            .setURI(basePath + path)
            .setTimeout(REQUEST_TIMEOUT_MS)
            .putHeader("Content-Type", "application/json");
    if (bearer != null) opts.putHeader("Authorization", "Bearer " + bearer);
    return client
        .request(opts)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b, null)))
        .otherwise(err -> new Reply(-1, Buffer.buffer(), err));
  }

  @Override
  public void close() {
    client.close().await();
  }
}
