package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.regex.Pattern;

/**
 * What every request passes before the router: it is counted by the {@link ConnectionGate}, and a
 * request the router would fail on with a 500 gets a Matrix 400 instead — an unknown HTTP version
 * (e.g. HTTP/1.2; Vert.x itself would answer an empty 501), no {@code Host} header (HTTP/1.1
 * requires one), or a {@code %} escape that is not {@code %XX} anywhere in its URI (which made any
 * route fail, and the URI, tokens included, be logged).
 */
public final class RequestGate implements Handler<HttpServerRequest> {
  private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
  private final Handler<HttpServerRequest> next;
  private final ConnectionGate connections;

  public RequestGate(Handler<HttpServerRequest> next, ConnectionGate connections) {
    this.next = next;
    this.connections = connections;
  }

  @Override
  public void handle(HttpServerRequest request) {
    connections.started(request);
    if (request.version() == null) {
      InvalidRequests.reply(
          request, 400, "M_UNRECOGNIZED", "unsupported HTTP version: use HTTP/1.1");
    } else if (request.version() != HttpVersion.HTTP_2 && request.authority() == null) {
      InvalidRequests.reply(
          request, 400, "M_UNRECOGNIZED", "malformed HTTP request: no Host header");
    } else if (BAD_ESCAPE.matcher(request.uri()).find()) {
      InvalidRequests.reply(
          request, 400, "M_INVALID_PARAM", "malformed %-escape in the request URI");
    } else {
      next.handle(request);
    }
  }
}
