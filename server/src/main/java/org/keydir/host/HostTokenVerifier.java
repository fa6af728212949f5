package org.keydir.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import org.keydir.auth.IntrospectionAnswers;
import org.keydir.auth.TokenVerdict;
import org.keydir.auth.WhoamiAnswers;
import org.keydir.config.KeydirConfig;
import org.keydir.federation.OutboundHttp;

/**
 * Asks the homeserver (or its authentication service) about one access token: the I/O around {@link
 * WhoamiAnswers} / {@link IntrospectionAnswers}. Every call has the {@code auth.host_timeout_ms}
 * deadline and a capped response; any failure to get an answer is {@link
 * TokenVerdict.HostUnavailable}. The token goes only into the request to the host: never into a log
 * line, an error or storage.
 */
public final class HostTokenVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_ANSWER_BYTES = 64 * 1024;

  private final OutboundHttp http;
  private final KeydirConfig.Auth cfg;
  private final String serverName;
  private final Clock clock;

  public HostTokenVerifier(
      OutboundHttp http, KeydirConfig.Auth cfg, String serverName, Clock clock) {
    this.http = http;
    this.cfg = cfg;
    this.serverName = serverName;
    this.clock = clock;
  }

  public Future<TokenVerdict> verify(String token) {
    return "introspection".equals(cfg.verifier()) ? introspect(token) : whoami(token);
  }

  private Future<TokenVerdict> whoami(String token) {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .set("Authorization", "Bearer " + token)
            .set("Accept", "application/json");
    return call(HttpMethod.GET, cfg.hostUrl() + "/_matrix/client/v3/account/whoami", headers, null)
        .map(r -> WhoamiAnswers.judge(r.status(), parse(r), serverName));
  }

  private Future<TokenVerdict> introspect(String token) {
    String credentials =
        Base64.getEncoder()
            .encodeToString(
                (form(cfg.clientId()) + ":" + form(cfg.clientSecret()))
                    .getBytes(StandardCharsets.UTF_8));
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .set("Authorization", "Basic " + credentials)
            .set("Content-Type", "application/x-www-form-urlencoded")
            .set("Accept", "application/json");
    Buffer body = Buffer.buffer("token=" + form(token) + "&token_type_hint=access_token");
    return call(HttpMethod.POST, cfg.introspectionUrl(), headers, body)
        .map(r -> IntrospectionAnswers.judge(r.status(), parse(r), serverName, clock.millis()));
  }

  private Future<OutboundHttp.Response> call(
      HttpMethod method, String url, MultiMap headers, Buffer body) {
    return http.send(method, url, headers, body, cfg.hostTimeoutMs(), MAX_ANSWER_BYTES, true)
        .recover(
            e ->
                Future.failedFuture(
                    new TokenVerdict.HostUnavailable("the homeserver " + e.getMessage())));
  }

  /** RFC 6749 §2.3.1: client credentials in Basic auth are form-encoded first. */
  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode parse(OutboundHttp.Response r) {
    try {
      JsonNode node = JSON.readTree(r.body().getBytes());
      return node != null && node.isObject() ? node : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
