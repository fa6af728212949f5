package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.TreeMap;
import org.keydir.admin.AuditEntry;
import org.keydir.admin.CreatedDevice;
import org.keydir.admin.ResetReport;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.KeyId;

/** JSON shapes of admin results, shared by the admin API and {@code keydir … --json}. */
public final class AdminJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AdminJson() {}

  public static ObjectNode created(CreatedDevice d) {
    return F.objectNode()
        .put("user_id", d.userId())
        .put("device_id", d.deviceId())
        .put("access_token", d.accessToken());
  }

  public static ObjectNode device(DeviceView v) {
    ObjectNode n =
        F.objectNode().put("user_id", v.device().userId()).put("device_id", v.device().deviceId());
    n.put("display_name", v.device().displayName());
    n.put("created_ts", v.device().createdTs());
    n.set(
        "device_keys",
        v.deviceKeysJson().map(j -> (JsonNode) CanonicalJson.parse(j)).orElse(F.nullNode()));
    ObjectNode counts = n.putObject("one_time_key_counts");
    counts.put("signed_curve25519", 0);
    new TreeMap<>(v.oneTimeKeyCounts()).forEach(counts::put);
    ObjectNode fallbacks = n.putObject("fallback_keys");
    new TreeMap<>(v.fallbackKeys())
        .forEach(
            (alg, f) ->
                fallbacks.putObject(alg).put("key_id", f.keyId().toString()).put("used", f.used()));
    n.put("claims_served", v.claimsServed());
    if (v.lastUploadTs().isPresent()) n.put("last_upload_ts", v.lastUploadTs().get());
    else n.putNull("last_upload_ts");
    return n;
  }

  public static ObjectNode reset(ResetReport r) {
    ObjectNode n = F.objectNode().put("one_time_keys", r.oneTimeKeysDeleted());
    var fb = n.putArray("fallback_keys");
    r.fallbackKeysDeleted().stream().map(KeyId::toString).forEach(fb::add);
    n.put("device_keys", r.deviceKeysDeleted());
    n.put("access_tokens", r.accessTokensDeleted());
    return n;
  }

  public static ObjectNode audit(AuditEntry e) {
    ObjectNode n =
        F.objectNode()
            .put("id", e.id())
            .put("ts", e.ts())
            .put("actor", e.actor())
            .put("action", e.action())
            .put("user_id", e.userId())
            .put("device_id", e.deviceId());
    n.set("details", CanonicalJson.parse(e.details()));
    return n;
  }
}
