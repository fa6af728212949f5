package org.keydir.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import org.keydir.http.ConnectionGate;
import org.keydir.http.InvalidRequests;
import org.keydir.http.RequestGate;

/** One event loop's HTTP server; keydir deploys one per core, all sharing the listen port. */
final class HttpVerticle extends VerticleBase {
  private final java.util.function.Function<io.vertx.core.Vertx, io.vertx.ext.web.Router> routes;
  private final String host;
  private final int port;
  private final long shutdownGraceMs;
  private HttpServer server;

  private final ConnectionGate connections;

  HttpVerticle(
      java.util.function.Function<io.vertx.core.Vertx, io.vertx.ext.web.Router> routes,
      String host,
      int port,
      long shutdownGraceMs,
      ConnectionGate connections) {
    this.routes = routes;
    this.connections = connections;
    this.host = host;
    this.port = port;
    this.shutdownGraceMs = shutdownGraceMs;
  }

  @Override
  public Future<?> start() {
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setCompressionSupported(false)
                .setIdleTimeout(120)
                // no h2c: with it, Vert.x sees a connection only after its first bytes, so idle
                // ones escape the gate
                .setHttp2ClearTextEnabled(false));
    return server
        .connectionHandler(c -> connections.opened(vertx, c))
        // With a handshake handler set, Vert.x hands requests of an unknown HTTP version to the
        // request handler (else it answers an empty 501 itself); keydir serves no WebSockets.
        .webSocketHandshakeHandler(handshake -> handshake.reject(400))
        .requestHandler(new RequestGate(routes.apply(vertx), connections))
        .invalidRequestHandler(new InvalidRequests())
        .listen();
  }

  /** Graceful: stop accepting, let in-flight requests finish (bounded), then close. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownGraceMs, TimeUnit.MILLISECONDS);
  }
}
