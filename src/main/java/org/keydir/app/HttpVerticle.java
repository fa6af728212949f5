package org.keydir.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import org.keydir.http.InvalidRequests;
import org.keydir.http.Routes;

/** One event loop's HTTP server; keydir deploys one per core, all sharing the listen port. */
final class HttpVerticle extends VerticleBase {
  private final Routes.Deps deps;
  private final String host;
  private final int port;
  private final long shutdownGraceMs;
  private HttpServer server;

  HttpVerticle(Routes.Deps deps, String host, int port, long shutdownGraceMs) {
    this.deps = deps;
    this.host = host;
    this.port = port;
    this.shutdownGraceMs = shutdownGraceMs;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(host).setPort(port).setCompressionSupported(false).setIdleTimeout(120));
    return server.requestHandler(Routes.build(vertx, deps)).invalidRequestHandler(new InvalidRequests()).listen();
  }

  /** Graceful: stop accepting, let in-flight requests finish (bounded), then close. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownGraceMs, TimeUnit.MILLISECONDS);
  }
}
