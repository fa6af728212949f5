package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.keydir.config.ServerNames;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;

/**
 * Authenticates inbound federation requests (server-server spec "Request Authentication"): the
 * X-Matrix header's signature over method, uri, origin, destination and content must verify with
 * the origin's published key. A present destination that is not us is a 401 (the spec's MUST).
 */
public final class FederationAuth implements Handler<RoutingContext> {
  public static final String ORIGIN = "keydir.federation.origin";
  private final String serverName;
  private final PeerKeys peerKeys;

  public FederationAuth(String serverName, PeerKeys peerKeys) {
    this.serverName = serverName;
    this.peerKeys = peerKeys;
  }

  @Override
  public void handle(RoutingContext ctx) {
    XMatrixHeader h;
    JsonNode content;
    try {
      h = XMatrixHeader.parse(ctx.request().getHeader("Authorization"));
      if (h.destination() != null && !h.destination().equals(serverName)) {
        throw XMatrixHeader.unauthorized("this request is for " + h.destination() + ", not " + serverName);
      }
      if (!ServerNames.isValid(h.origin()) || !h.keyId().startsWith("ed25519:")) {
        throw XMatrixHeader.unauthorized("bad origin or key id in X-Matrix header");
      }
      content = content(ctx.body().buffer());
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    String method = ctx.request().method().name();
    String uri = ctx.request().uri();
    peerKeys.verifyKey(h.origin(), h.keyId()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause() instanceof org.keydir.keys.KeydirException ? ar.cause()
            : XMatrixHeader.unauthorized("cannot get " + h.origin() + "'s key " + h.keyId()));
      } else if (!RequestSignatures.verify(h, method, uri, serverName, content, ar.result())) {
        ctx.fail(XMatrixHeader.unauthorized("X-Matrix signature does not verify"));
      } else {
        ctx.put(ORIGIN, h.origin());
        ctx.next();
      }
    });
  }

  private static JsonNode content(Buffer body) {
    if (body == null || body.length() == 0) return null;
    try {
      return CanonicalJson.parse(body.getBytes());
    } catch (CanonicalJsonException e) {
      throw org.keydir.keys.KeydirException.of(org.keydir.keys.KeydirException.Kind.NOT_JSON, "request body is not valid JSON");
    }
  }
}
