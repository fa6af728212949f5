package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.keydir.crypto.CanonicalJson;

/**
 * Outbound federation HTTP: requests signed with our active key (X-Matrix), with a timeout on
 * every call; a non-2xx answer or an unparsable body is a failed Future (the caller lists the
 * server in {@code failures}; a peer's 500 is never passed on as ours).
 */
public final class FederationClient {
  private final WebClient http;
  private final ServerResolver resolver;
  private final OwnKeys own;
  private final long defaultTimeoutMs;

  public FederationClient(WebClient http, ServerResolver resolver, OwnKeys own, long defaultTimeoutMs) {
    this.http = http;
    this.resolver = resolver;
    this.own = own;
    this.defaultTimeoutMs = defaultTimeoutMs;
  }

  public Future<JsonNode> post(String server, String uri, JsonNode content, long timeoutMs) {
    SigningKey key = own.signingKey();
    XMatrixHeader auth = RequestSignatures.sign("POST", uri, own.serverName(), server, content, key.keyId(), key.seed());
    return resolver.baseUrl(server).compose(base -> http.postAbs(base + uri)
            .putHeader("Authorization", auth.format())
            .putHeader("Content-Type", "application/json")
            .timeout(timeoutMs)
            .sendBuffer(Buffer.buffer(CanonicalJson.encodeUtf8(content))))
        .map(r -> body(server, r));
  }

  /** The peer's published keys: unauthenticated, as the spec has it. */
  public Future<JsonNode> serverKeys(String server) {
    return resolver.baseUrl(server)
        .compose(base -> http.getAbs(base + "/_matrix/key/v2/server").timeout(defaultTimeoutMs).send())
        .map(r -> body(server, r));
  }

  private static JsonNode body(String server, HttpResponse<Buffer> r) {
    if (r.statusCode() / 100 != 2) throw new RemoteFailure(server, r.statusCode(), "answered " + r.statusCode());
    try {
      return CanonicalJson.parse(r.body() == null ? new byte[0] : r.body().getBytes());
    } catch (RuntimeException e) {
      throw new RemoteFailure(server, 502, "sent a body that is not JSON");
    }
  }

  /** A peer that failed or answered badly; becomes its entry in {@code failures}. */
  public static final class RemoteFailure extends RuntimeException {
    public final int status;

    public RemoteFailure(String server, int status, String what) {
      super(server + " " + what, null, false, false);
      this.status = status;
    }
  }
}
