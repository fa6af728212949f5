package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.UnpaddedBase64;

/**
 * Server-server spec "Request Authentication": the signature covers the canonical JSON of {@code
 * {method, uri, origin, destination, content?}}, where uri is the path and query as sent.
 */
public final class RequestSignatures {
  private RequestSignatures() {}

  static ObjectNode signable(
      String method, String uri, String origin, String destination, JsonNode content) {
    ObjectNode o =
        JsonNodeFactory.instance
            .objectNode()
            .put("method", method)
            .put("uri", uri)
            .put("origin", origin)
            .put("destination", destination);
    if (content != null) o.set("content", content);
    return o;
  }

  public static XMatrixHeader sign(
      String method,
      String uri,
      String origin,
      String destination,
      JsonNode content,
      String keyId,
      byte[] seed) {
    byte[] sig =
        Ed25519.sign(
            seed, CanonicalJson.encodeUtf8(signable(method, uri, origin, destination, content)));
    return new XMatrixHeader(origin, destination, keyId, UnpaddedBase64.encode(sig));
  }

  /**
   * The bytes an inbound request's signature covers; computed before any key lookup, so a body
   * without a canonical form (a float, an integer beyond 2^53, a lone surrogate) is refused at
   * once.
   *
   * @throws org.keydir.crypto.CanonicalJsonException if the content has no canonical encoding
   */
  public static byte[] signedBytes(
      XMatrixHeader h, String method, String uri, String destination, JsonNode content) {
    return CanonicalJson.encodeUtf8(signable(method, uri, h.origin(), destination, content));
  }

  public static boolean verify(XMatrixHeader h, byte[] signedBytes, Ed25519.PublicKey publicKey) {
    byte[] sig;
    try {
      sig = UnpaddedBase64.decode(h.sig());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return publicKey.verify(signedBytes, sig);
  }

  public static boolean verify(XMatrixHeader h, byte[] signedBytes, byte[] publicKey) {
    return Ed25519.PublicKey.parse(publicKey).map(k -> verify(h, signedBytes, k)).orElse(false);
  }

  /**
   * {@code destination} is the one the header names, or ours when it names none (older servers).
   */
  public static boolean verify(
      XMatrixHeader h,
      String method,
      String uri,
      String destination,
      JsonNode content,
      byte[] publicKey) {
    return verify(h, signedBytes(h, method, uri, destination, content), publicKey);
  }
}
