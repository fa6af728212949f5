package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.keydir.crypto.CanonicalJson;

/**
 * Adds stored signatures to a key's JSON as uploaded (pure): signatures never replace the object.
 */
public final class SignatureMerge {
  private SignatureMerge() {}

  public static String into(String json, List<KeySignature> sigs) {
    if (sigs.isEmpty()) return json;
    return merged((ObjectNode) CanonicalJson.parse(json), sigs);
  }

  /**
   * A cross-signing key: of {@code candidates}, the signatures whose target is this key's public
   * key.
   */
  public static String intoCrossSigningKey(String json, List<KeySignature> candidates) {
    if (candidates.isEmpty()) return json;
    ObjectNode o = (ObjectNode) CanonicalJson.parse(json);
    var keys = o.path("keys").properties().iterator();
    if (!keys.hasNext()) return json;
    String publicKey = keys.next().getValue().asText();
    List<KeySignature> on =
        candidates.stream().filter(s -> s.targetKeyId().equals(publicKey)).toList();
    return on.isEmpty() ? json : merged(o, on);
  }

  private static String merged(ObjectNode o, List<KeySignature> sigs) {
    JsonNode existing = o.get("signatures");
    ObjectNode all =
        existing != null && existing.isObject() ? (ObjectNode) existing : o.putObject("signatures");
    for (KeySignature s : sigs) {
      JsonNode by = all.get(s.signerUserId());
      ObjectNode signer =
          by != null && by.isObject() ? (ObjectNode) by : all.putObject(s.signerUserId());
      signer.put(s.signerKeyId(), s.signature());
    }
    return CanonicalJson.encode(o);
  }
}
