package org.keydir.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import org.keydir.keys.KeydirException;
import org.keydir.store.DatabaseErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from failures to Matrix error JSON ({@code errcode}, {@code error}) and HTTP
 * status. Anything not recognised is a bug: logged with the request id, answered 500.
 */
public final class MatrixErrors {
  private static final Logger LOG = LoggerFactory.getLogger(MatrixErrors.class);

  record Reply(int status, String errcode, String error, long retryAfterMs) {
    static Reply of(int status, String errcode, String error) {
      return new Reply(status, errcode, error, 0);
    }
  }

  /**
   * A 503 says when to come back (RFC 9110 §10.2.3): a saturated pool or a database outage, in a
   * second.
   */
  static final long RETRY_SOON_MS = 1_000;

  private MatrixErrors() {}

  /** The router's failure handler (also used for 404/405/413 raised by vertx-web itself). */
  public static void handle(RoutingContext ctx) {
    if (ctx.failure() instanceof org.keydir.keys.ApprovalRequired a
        && !ctx.response().headWritten()) {
      Replies.json(ctx, 401, userInteractiveAuth(a));
      return;
    }
    Reply reply = of(ctx.failure(), ctx.statusCode(), RequestIds.of(ctx));
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx, reply);
  }

  /**
   * Spec "User-interactive authentication API": 401 with the flows that would complete the request.
   * Its one stage is the operator's approval (MSC4312 {@code m.oauth}); a client that retries in an
   * open approval window succeeds (the window is the next step of issue 13).
   */
  static ObjectNode userInteractiveAuth(org.keydir.keys.ApprovalRequired a) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray("flows")
        .addObject()
        .putArray("stages")
        .add(org.keydir.keys.ApprovalRequired.STAGE);
    body.putObject("params")
        .putObject(org.keydir.keys.ApprovalRequired.STAGE)
        .put("url", a.approvalUrl());
    body.put("session", a.session());
    body.put("error", a.getMessage());
    return body;
  }

  static void send(RoutingContext ctx, Reply reply) {
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("errcode", reply.errcode())
            .put("error", reply.error());
    if (reply.status() == 429) body.put("retry_after_ms", reply.retryAfterMs());
    if (reply.retryAfterMs() > 0) {
      ctx.response().putHeader("Retry-After", Long.toString((reply.retryAfterMs() + 999) / 1000));
    }
    Replies.json(ctx, reply.status(), body);
  }

  static Reply of(Throwable t, int status, String requestId) {
    if (t instanceof KeydirException e) {
      if (e.kind() == KeydirException.Kind.UNAUTHORIZED)
        LOG.info("request {}: unauthorized: {}", requestId, e.getMessage());
      return of(e);
    }
    if (t == null || (t instanceof io.vertx.ext.web.handler.HttpException && status > 0))
      return forStatus(status);
    if (DatabaseErrors.isPoolSaturated(t)) {
      LOG.warn("request {}: no database connection free in time: {}", requestId, t.toString());
      return new Reply(503, "M_UNKNOWN", "server busy, try again later", RETRY_SOON_MS);
    }
    if (DatabaseErrors.isUnavailable(t)) {
      LOG.warn("request {}: database unavailable: {}", requestId, t.toString());
      return new Reply(503, "M_UNKNOWN", "database unavailable, try again later", RETRY_SOON_MS);
    }
    if (DatabaseErrors.isRefusedValue(t)) {
      // a client value that validation let through: the client's fault, answered 400, logged to fix
      LOG.warn("request {}: database refused a client value: {}", requestId, t.getMessage());
      return Reply.of(400, "M_INVALID_PARAM", "the request holds a value that cannot be stored");
    }
    if (isHttpDecoderFailure(t)) {
      // the body broke HTTP framing (e.g. "ZZ" as a chunk size): the client's fault, not a bug
      LOG.debug("request {}: malformed HTTP body: {}", requestId, t.toString());
      return Reply.of(400, "M_NOT_JSON", "malformed HTTP request body");
    }
    if (t instanceof io.vertx.core.http.HttpClosedException) {
      LOG.debug("request {}: the client went away", requestId); // nobody to answer; not a bug
      return Reply.of(499, "M_UNKNOWN", "client closed the connection");
    }
    LOG.error("request {}: unhandled failure", requestId, Redacted.of(t));
    return Reply.of(500, "M_UNKNOWN", "internal error (request " + requestId + ")");
  }

  private static boolean isHttpDecoderFailure(Throwable t) {
    if (t instanceof io.netty.handler.codec.DecoderException) return true;
    StackTraceElement[] at = t.getStackTrace();
    return at.length > 0 && at[0].getClassName().startsWith("io.netty.handler.codec.http.");
  }

  private static Reply of(KeydirException e) {
    return switch (e.kind()) {
      case NOT_JSON -> Reply.of(400, "M_NOT_JSON", e.getMessage());
      case BAD_JSON -> Reply.of(400, "M_BAD_JSON", e.getMessage());
      case MISSING_PARAM -> Reply.of(400, "M_MISSING_PARAM", e.getMessage());
      case INVALID_PARAM -> Reply.of(400, "M_INVALID_PARAM", e.getMessage());
      case INVALID_SIGNATURE -> Reply.of(400, "M_INVALID_SIGNATURE", e.getMessage());
      case KEY_LIMIT -> Reply.of(400, "M_LIMIT_EXCEEDED", e.getMessage());
      case MISSING_TOKEN -> Reply.of(401, "M_MISSING_TOKEN", e.getMessage());
      case UNKNOWN_TOKEN -> Reply.of(401, "M_UNKNOWN_TOKEN", e.getMessage());
      case UNAUTHORIZED -> Reply.of(401, "M_UNAUTHORIZED", e.getMessage());
      case FORBIDDEN -> Reply.of(403, "M_FORBIDDEN", e.getMessage());
      case NOT_FOUND -> Reply.of(404, "M_NOT_FOUND", e.getMessage());
      case TOO_LARGE -> Reply.of(413, "M_TOO_LARGE", e.getMessage());
      case RATE_LIMITED -> new Reply(429, "M_LIMIT_EXCEEDED", e.getMessage(), e.retryAfterMs());
      case UNAVAILABLE -> new Reply(503, "M_UNKNOWN", e.getMessage(), e.retryAfterMs());
    };
  }

  /** Failures raised by vertx-web itself, which carry only a status. */
  static Reply forStatus(int status) {
    return switch (status) {
      case 404 -> Reply.of(404, "M_UNRECOGNIZED", "unrecognized request");
      case 405 -> Reply.of(405, "M_UNRECOGNIZED", "method not allowed on this endpoint");
      case 413 -> Reply.of(413, "M_TOO_LARGE", "request body too large");
      case 400 -> Reply.of(400, "M_BAD_JSON", "bad request");
      case 401 -> Reply.of(401, "M_UNAUTHORIZED", "unauthorized");
      case 403 -> Reply.of(403, "M_FORBIDDEN", "forbidden");
      case 503 -> Reply.of(503, "M_UNKNOWN", "service unavailable");
      default ->
          status >= 400 && status < 500
              ? Reply.of(status, "M_UNKNOWN", "request failed")
              : Reply.of(500, "M_UNKNOWN", "internal error");
    };
  }
}
