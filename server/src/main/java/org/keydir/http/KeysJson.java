package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.Map;
import java.util.TreeMap;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.QueriedDevice;
import org.keydir.keys.RemoteFailure;
import org.keydir.usecases.KeyClaims;
import org.keydir.usecases.KeyQueries;

/** Renders key results as the client-server spec's response bodies. */
final class KeysJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private KeysJson() {}

  /** {@code one_time_key_counts}, always with {@code signed_curve25519} (clients rely on it). */
  static JsonNode counts(Map<String, Integer> counts) {
    ObjectNode body = F.objectNode();
    ObjectNode c = body.putObject("one_time_key_counts");
    c.put("signed_curve25519", 0);
    new TreeMap<>(counts).forEach(c::put);
    return body;
  }

  /** Claimed keys go out as the stored JSON text, untouched, so their signatures still verify. */
  static JsonNode claimed(KeyClaims.Result result) {
    ObjectNode body = F.objectNode();
    ObjectNode keys = body.putObject("one_time_keys");
    for (ClaimedKey k : result.keys()) {
      ObjectNode user =
          keys.has(k.userId()) ? (ObjectNode) keys.get(k.userId()) : keys.putObject(k.userId());
      ObjectNode device =
          user.has(k.deviceId())
              ? (ObjectNode) user.get(k.deviceId())
              : user.putObject(k.deviceId());
      device.putRawValue(k.keyId().toString(), new RawValue(k.json()));
    }
    result.remoteUsers().forEach(keys::set);
    body.set("failures", failures(result.failures()));
    return body;
  }

  /**
   * Device keys as stored, plus {@code unsigned.device_display_name} (unsigned is outside the
   * signature).
   */
  static JsonNode queried(KeyQueries.Result result) {
    ObjectNode body = F.objectNode();
    ObjectNode users = body.putObject("device_keys");
    for (QueriedDevice d : result.devices()) {
      ObjectNode user =
          users.has(d.userId()) ? (ObjectNode) users.get(d.userId()) : users.putObject(d.userId());
      ObjectNode keys = (ObjectNode) CanonicalJson.parse(d.keyJson());
      if (d.displayName() != null) {
        JsonNode unsigned = keys.get("unsigned");
        ObjectNode u =
            unsigned != null && unsigned.isObject()
                ? (ObjectNode) unsigned
                : keys.putObject("unsigned");
        u.put("device_display_name", d.displayName());
      }
      user.set(d.deviceId(), keys);
    }
    result.remoteUsers().forEach(users::set);
    for (String u : result.localUsers())
      if (!users.has(u)) users.putObject(u); // Synapse and sytest expect {} too
    String[][] fields = {
      {"master", "master_keys"},
      {"self_signing", "self_signing_keys"},
      {"user_signing", "user_signing_keys"}
    };
    for (String[] f : fields) {
      ObjectNode out = F.objectNode();
      result
          .crossSigning()
          .forEach(
              (user, byUsage) -> {
                String json = byUsage.get(f[0]);
                if (json != null) out.set(user, CanonicalJson.parse(json));
              });
      // remote users' keys as their server sent them (never a user-signing key: the spec has peers
      // omit it)
      result
          .remoteCrossSigning()
          .getOrDefault(f[1], Map.of())
          .forEach(
              (user, key) -> {
                if (!f[0].equals("user_signing") && key.isObject()) out.set(user, key);
              });
      body.set(f[1], out);
    }
    body.set("failures", failures(result.failures()));
    return body;
  }

  static JsonNode signatureFailures(
      Map<String, Map<String, org.keydir.keys.SignaturePlanner.Failure>> failures) {
    ObjectNode body = F.objectNode();
    ObjectNode f = body.putObject("failures");
    failures.forEach(
        (user, byKey) -> {
          ObjectNode u = f.putObject(user);
          byKey.forEach(
              (key, why) ->
                  u.putObject(key).put("errcode", why.errcode()).put("error", why.error()));
        });
    return body;
  }

  /**
   * GET /keys/changes: {@code left} is always empty (keydir holds no room membership; the host
   * filters).
   */
  static JsonNode changes(java.util.List<String> changed) {
    ObjectNode body = F.objectNode();
    var c = body.putArray("changed");
    changed.forEach(c::add);
    body.putArray("left");
    return body;
  }

  static JsonNode empty() {
    return F.objectNode();
  }

  /** Servers that did not answer in time or answered badly, in Synapse's failure shape. */
  private static ObjectNode failures(Map<String, RemoteFailure> failures) {
    ObjectNode f = F.objectNode();
    failures.forEach(
        (server, why) ->
            f.putObject(server).put("status", why.status()).put("message", why.message()));
    return f;
  }
}
