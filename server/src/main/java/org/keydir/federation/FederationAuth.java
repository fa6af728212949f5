package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.keydir.config.ServerNames;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;
import org.keydir.keys.KeydirException;

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
    byte[] signed;
    try {
      h = XMatrixHeader.parse(ctx.request().getHeader("Authorization"));
      if (h.destination() != null && !h.destination().equals(serverName)) {
        throw XMatrixHeader.unauthorized(
            "this request is for " + h.destination() + ", not " + serverName);
      }
      if (!ServerNames.isValid(h.origin()) || !h.keyId().startsWith("ed25519:")) {
        throw XMatrixHeader.unauthorized("bad origin or key id in X-Matrix header");
      }
      if (h.origin().equalsIgnoreCase(serverName)) {
        throw XMatrixHeader.unauthorized(
            "a request from " + serverName + " does not come over federation");
      }
      signed =
          RequestSignatures.signedBytes(
              h,
              ctx.request().method().name(),
              ctx.request().uri(),
              serverName,
              content(ctx.body().buffer()));
    } catch (CanonicalJsonException e) {
      ctx.fail(
          KeydirException.of(
              KeydirException.Kind.BAD_JSON,
              "request body has no canonical JSON form: " + e.getMessage()));
      return;
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    peerKeys
        .verifyingKey(h.origin(), h.keyId())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(
                    ar.cause() instanceof KeydirException
                        ? ar.cause()
                        : XMatrixHeader.unauthorized(
                            "cannot get " + h.origin() + "'s key " + h.keyId()));
              } else if (!RequestSignatures.verify(h, signed, ar.result())) {
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
      throw KeydirException.of(KeydirException.Kind.NOT_JSON, "request body is not valid JSON");
    }
  }
}
