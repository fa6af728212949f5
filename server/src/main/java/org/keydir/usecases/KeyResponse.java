package org.keydir.usecases;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.keydir.crypto.JsonSigning;
import org.keydir.serverkeys.PublishedKeys;
import org.keydir.serverkeys.ServerKey;

/**
 * The body of {@code GET /_matrix/key/v2/server} (server-server spec "Publishing Keys"), signed by
 * every key in {@code verify_keys}, from one key-ring snapshot.
 */
public final class KeyResponse {
  private KeyResponse() {}

  public static ObjectNode of(String serverName, KeyRing.Snapshot ring, PublishedKeys published) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("server_name", serverName);
    ObjectNode verify = body.putObject("verify_keys");
    published
        .verifyKeys()
        .forEach(k -> verify.putObject(k.keyId()).put("key", ring.publicKeys().get(k.keyId())));
    ObjectNode old = body.putObject("old_verify_keys");
    published
        .oldVerifyKeys()
        .forEach(
            k ->
                old.putObject(k.keyId())
                    .put("key", ring.publicKeys().get(k.keyId()))
                    .put("expired_ts", k.expiredAt().toEpochMilli()));
    body.put("valid_until_ts", published.validUntil().toEpochMilli());
    ObjectNode signed = body;
    for (ServerKey k : published.verifyKeys()) {
      signed = JsonSigning.sign(signed, serverName, k.keyId(), ring.seeds().get(k.keyId()));
    }
    return signed;
  }

  /** Cache-Control max-age: until valid_until_ts, not a fixed constant (seed 000). */
  public static long maxAgeSeconds(PublishedKeys published, Instant now) {
    return Math.max(0, (published.validUntil().toEpochMilli() - now.toEpochMilli()) / 1000);
  }
}
