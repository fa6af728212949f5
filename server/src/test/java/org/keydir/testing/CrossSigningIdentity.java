package org.keydir.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;

/** A user's three cross-signing keys, signed as a client signs them (subkeys by the master key). */
public final class CrossSigningIdentity {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  public final String user;
  public final Ed25519.KeyPair master = Ed25519.generate(new SecureRandom());
  public final Ed25519.KeyPair ssk = Ed25519.generate(new SecureRandom());
  public final Ed25519.KeyPair usk = Ed25519.generate(new SecureRandom());

  public CrossSigningIdentity(String user) {
    this.user = user;
  }

  public ObjectNode key(String usage, Ed25519.KeyPair kp, boolean signedByMaster) {
    ObjectNode k = F.objectNode().put("user_id", user);
    k.putArray("usage").add(usage);
    k.putObject("keys").put("ed25519:" + kp.publicKeyBase64(), kp.publicKeyBase64());
    return signedByMaster
        ? JsonSigning.sign(k, user, "ed25519:" + master.publicKeyBase64(), master.seed())
        : k;
  }

  public ObjectNode all() {
    ObjectNode body = F.objectNode();
    body.set("master_key", key("master", master, false));
    body.set("self_signing_key", key("self_signing", ssk, true));
    body.set("user_signing_key", key("user_signing", usk, true));
    return body;
  }
}
