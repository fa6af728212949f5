package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.keydir.crypto.CanonicalJson;

/** Adds stored signatures to a key's JSON as uploaded (pure): signatures never replace the object. */
final class SignatureMerge {
  private SignatureMerge() {}

  static String into(String json, List<KeySignature> sigs) {
    if (sigs.isEmpty()) return json;
    ObjectNode o = (ObjectNode) CanonicalJson.parse(json);
    JsonNode existing = o.get("signatures");
    ObjectNode all = existing != null && existing.isObject() ? (ObjectNode) existing : o.putObject("signatures");
    for (KeySignature s : sigs) {
      JsonNode by = all.get(s.signerUserId());
      ObjectNode signer = by != null && by.isObject() ? (ObjectNode) by : all.putObject(s.signerUserId());
      signer.put(s.signerKeyId(), s.signature());
    }
    return CanonicalJson.encode(o);
  }
}
