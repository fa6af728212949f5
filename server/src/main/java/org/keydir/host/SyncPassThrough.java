package org.keydir.host;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.sqlclient.Pool;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.keydir.auth.Caller;
import org.keydir.federation.OutboundHttp;
import org.keydir.keys.KeydirException;
import org.keydir.store.SyncViewStore;

/**
 * {@code GET /_matrix/client/{v3,r0}/sync} in host mode: forwarded to the homeserver with the
 * caller's own token, every query parameter and header; in a 200 answer keydir's facts replace or
 * join the host's ({@link SyncRewrite}), everything else is returned as the host sent it, and any
 * other answer is passed on unchanged.
 *
 * <ul>
 *   <li>Before forwarding, keydir reads what it has for the device: if there is news (a tracked
 *       user changed, fewer keys than last reported) the long-poll is forwarded with {@code
 *       timeout=0}.
 *   <li>After the host answers, keydir reads again and reports changes up to that moment; a change
 *       after it is in the next sync (its position is above the token's).
 * </ul>
 */
public final class SyncPassThrough {
  /**
   * Request headers not forwarded: hop-by-hop (RFC 9110 §7.6.1), ones the client connection owns,
   * and encodings keydir would have to undo.
   */
  private static final Set<String> DROPPED_REQUEST =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length",
          "accept-encoding");

  private static final Set<String> DROPPED_RESPONSE =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "content-length",
          "content-encoding",
          "trailer",
          "upgrade");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** A client's long-poll is capped here (Synapse allows any; clients ask for 30 s). */
  static final long MAX_TIMEOUT_MS = 300_000;

  /**
   * {@code sliding}: simplified sliding sync (MSC4186, {@code POST
   * …/org.matrix.simplified_msc3575/sync} with a JSON body, token {@code pos}, keydir's facts in
   * {@code extensions.e2ee}); else classic /sync.
   */
  public record Request(
      String path,
      String rawQuery,
      MultiMap headers,
      String remoteAddress,
      boolean sliding,
      Buffer body) {
    public Request(String path, String rawQuery, MultiMap headers, String remoteAddress) {
      this(path, rawQuery, headers, remoteAddress, false, null);
    }
  }

  public record Reply(int status, MultiMap headers, Buffer body) {}

  private final io.vertx.core.Vertx vertx;
  private final OutboundHttp http;
  private final String hostUrl;
  private final long hostTimeoutMs;
  private final long maxResponseBytes;
  private final Pool pool;
  private final SyncViewStore store;

  public SyncPassThrough(
      io.vertx.core.Vertx vertx,
      OutboundHttp http,
      String hostUrl,
      long hostTimeoutMs,
      long maxResponseBytes,
      Pool pool,
      SyncViewStore store) {
    this.vertx = vertx;
    this.http = http;
    this.hostUrl = hostUrl;
    this.hostTimeoutMs = hostTimeoutMs;
    this.maxResponseBytes = maxResponseBytes;
    this.pool = pool;
    this.store = store;
  }

  public Future<Reply> sync(Caller caller, Request req) {
    List<String[]> params = params(req.rawQuery());
    String tokenParam = req.sliding() ? "pos" : "since";
    Optional<SyncToken> previous = SyncToken.parse(decoded(params, tokenParam));
    long timeoutMs = timeout(decoded(params, "timeout"));
    // MSC3884: the e2ee extension is sticky: on or off as the request says, else as the connection
    // had it
    boolean e2ee =
        !req.sliding()
            || e2eeRequested(req.body()).orElse(previous.map(SyncToken::e2ee).orElse(false));
    long from = previous.map(SyncToken::position).orElse(Long.MAX_VALUE);
    return store
        .read(pool, caller.userId(), caller.deviceId(), from)
        .compose(
            before -> {
              boolean news =
                  e2ee
                      && previous
                          .map(p -> before.isNewsSince(p.oneTimeKeys(), p.unusedFallback()))
                          .orElse(false);
              // a host token without keydir's wrapper (or none): keydir's view starts now
              long reportFrom = previous.map(SyncToken::position).orElse(before.position());
              String query = rebuild(params, tokenParam, previous.map(SyncToken::hostToken), news);
              return forward(req, query, news ? 0 : timeoutMs)
                  .compose(
                      answer ->
                          answer.status() != 200
                              ? Future.succeededFuture(pass(answer, answer.body()))
                              : rewrite(caller, answer, reportFrom, req.sliding(), e2ee));
            });
  }

  /** {@code extensions.e2ee.enabled} of a sliding-sync request body, if it says. */
  private static Optional<Boolean> e2eeRequested(Buffer body) {
    if (body == null || body.length() == 0) return Optional.empty();
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (java.io.IOException e) {
      return Optional.empty(); // the host judges the body; keydir only looks for the flag
    }
    JsonNode enabled = json == null ? null : json.path("extensions").path("e2ee").get("enabled");
    return enabled != null && enabled.isBoolean()
        ? Optional.of(enabled.asBoolean())
        : Optional.empty();
  }

  private Future<Reply> rewrite(
      Caller caller, OutboundHttp.Response answer, long reportFrom, boolean sliding, boolean e2ee) {
    // an initial sync is megabytes of JSON: parsed and written on a worker, never on the event loop
    return store
        .read(pool, caller.userId(), caller.deviceId(), reportFrom)
        .compose(
            after ->
                vertx.executeBlocking(
                    () -> {
                      JsonNode body;
                      try {
                        body = JSON.readTree(answer.body().getBytes());
                      } catch (java.io.IOException e) {
                        return pass(answer, answer.body()); // not ours to judge: passed on as sent
                      }
                      if (body == null || !body.isObject()) return pass(answer, answer.body());
                      if (sliding)
                        SyncRewrite.applySliding((ObjectNode) body, after, reportFrom, e2ee);
                      else SyncRewrite.apply((ObjectNode) body, after, reportFrom);
                      return pass(answer, Buffer.buffer(JSON.writeValueAsBytes(body)));
                    },
                    false));
  }

  private Future<OutboundHttp.Response> forward(Request req, String query, long timeoutMs) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    req.headers()
        .forEach(
            (name, value) -> {
              if (!DROPPED_REQUEST.contains(name.toLowerCase(java.util.Locale.ROOT)))
                headers.add(name, value);
            });
    String forwardedFor = req.headers().get("X-Forwarded-For");
    headers.set(
        "X-Forwarded-For",
        forwardedFor == null ? req.remoteAddress() : forwardedFor + ", " + req.remoteAddress());
    String url = hostUrl + req.path() + (query.isEmpty() ? "" : "?" + query);
    HttpMethod method = req.sliding() ? HttpMethod.POST : HttpMethod.GET;
    return http.send(
            method, url, headers, req.body(), timeoutMs + hostTimeoutMs, maxResponseBytes, true)
        .recover(
            e ->
                Future.failedFuture(
                    KeydirException.unavailable(
                        "the homeserver did not answer /sync (" + e.getMessage() + "); try again",
                        DelegatedAuthentication.RETRY_AFTER_MS)));
  }

  private static Reply pass(OutboundHttp.Response answer, Buffer body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    answer
        .headers()
        .forEach(
            (name, value) -> {
              if (!DROPPED_RESPONSE.contains(name.toLowerCase(java.util.Locale.ROOT)))
                headers.add(name, value);
            });
    return new Reply(answer.status(), headers, body);
  }

  /**
   * The raw query as (raw name, raw value) pairs, order kept: forwarded byte for byte except
   * since/timeout.
   */
  private static List<String[]> params(String rawQuery) {
    List<String[]> out = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) return out;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      out.add(
          eq < 0
              ? new String[] {pair, null}
              : new String[] {pair.substring(0, eq), pair.substring(eq + 1)});
    }
    return out;
  }

  private static String decoded(List<String[]> params, String name) {
    for (String[] p : params) {
      if (p[0].equals(name) && p[1] != null) {
        try {
          return URLDecoder.decode(p[1], StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw KeydirException.invalidParam("'%s' is not validly percent-encoded", name);
        }
      }
    }
    return null;
  }

  private static String rebuild(
      List<String[]> params, String tokenParam, Optional<String> hostSince, boolean now) {
    StringBuilder q = new StringBuilder();
    for (String[] p : params) {
      String value = p[1];
      if (p[0].equals(tokenParam) && hostSince.isPresent())
        value = java.net.URLEncoder.encode(hostSince.get(), StandardCharsets.UTF_8);
      if (p[0].equals("timeout") && now) value = "0";
      if (q.length() > 0) q.append('&');
      q.append(p[0]);
      if (value != null) q.append('=').append(value);
    }
    return q.toString();
  }

  private static long timeout(String value) {
    if (value == null || value.isEmpty()) return 0;
    if (!value.matches("[0-9]{1,12}"))
      throw KeydirException.invalidParam("'timeout' must be a number of milliseconds");
    return Math.min(Long.parseLong(value), MAX_TIMEOUT_MS);
  }
}
