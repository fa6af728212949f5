package org.keydir.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder rejects before any route sees them (an over-long URI or header, a
 * malformed request line) still get Matrix error JSON, and the connection is closed.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {
  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String errcode;
    String error;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      errcode = "M_TOO_LARGE";
      error = "request URI too long";
    } else if (cause instanceof TooLongHttpHeaderException
        || cause instanceof TooLongFrameException) {
      status = 431;
      errcode = "M_TOO_LARGE";
      error = "request headers too large";
    } else {
      status = 400;
      errcode = "M_UNRECOGNIZED";
      error = "malformed HTTP request";
    }
    reply(request, status, errcode, error);
  }

  /** A Matrix error for a request no route may see; the connection is closed after it. */
  static void reply(HttpServerRequest request, int status, String errcode, String error) {
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end("{\"errcode\":\"" + errcode + "\",\"error\":\"" + error + "\"}")
        .onComplete(v -> request.connection().close());
  }
}
