package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.keydir.keys.JsonFields;
import org.keydir.keys.KeydirException;
import org.keydir.usecases.AdminJson;
import org.keydir.usecases.AuditLog;
import org.keydir.usecases.DeviceAdmin;

/**
 * {@code /_keydir/admin/v1/...}: parse, call the admin domain, render. The actor is "admin-api".
 */
final class AdminHandlers {
  static final String ACTOR = "admin-api";
  private final DeviceAdmin devices;
  private final AuditLog auditLog;

  private final org.keydir.usecases.CrossSigningAdmin crossSigning;

  AdminHandlers(
      DeviceAdmin devices, AuditLog auditLog, org.keydir.usecases.CrossSigningAdmin crossSigning) {
    this.crossSigning = crossSigning;
    this.devices = devices;
    this.auditLog = auditLog;
  }

  /** POST /devices {user_id, device_id?, display_name?} → {user_id, device_id, access_token}. */
  Future<JsonNode> createDevice(RoutingContext ctx) {
    JsonNode body = JsonBodies.object(ctx);
    return devices
        .createDevice(
            ACTOR,
            JsonFields.requiredString(body, "user_id"),
            JsonFields.optionalString(body, "device_id"),
            JsonFields.optionalString(body, "display_name"))
        .map(AdminJson::created);
  }

  /**
   * GET /users/{userId}/devices/{deviceId} → keys, counts, fallback state, claims served, last
   * upload, the user's cross-signing keys.
   */
  Future<JsonNode> showDevice(RoutingContext ctx) {
    String user = ctx.pathParam("userId");
    return devices
        .show(user, ctx.pathParam("deviceId"))
        .compose(
            v ->
                crossSigning
                    .show(user)
                    .map(
                        cs -> {
                          ObjectNode device = (ObjectNode) AdminJson.device(v);
                          cs.remove("user_id");
                          device.set("cross_signing", cs);
                          return (JsonNode) device;
                        }));
  }

  /** POST /users/{userId}/cross_signing/allow_replacement {for_ms?} → {user_id, expires_ts}. */
  Future<JsonNode> allowCrossSigningReplacement(RoutingContext ctx) {
    return allowReplacement(crossSigning, ACTOR, ctx);
  }

  /** Shared by the admin and the internal API: parse {for_ms?}, open the window, render it. */
  static Future<JsonNode> allowReplacement(
      org.keydir.usecases.CrossSigningAdmin crossSigning, String actor, RoutingContext ctx) {
    JsonNode body =
        ctx.body().length() == 0 ? JsonNodeFactory.instance.objectNode() : JsonBodies.object(ctx);
    JsonNode forMs = body.get("for_ms");
    if (forMs != null && !forMs.canConvertToLong())
      throw KeydirException.badJson("'for_ms' must be an integer");
    String user = ctx.pathParam("userId");
    return crossSigning
        .allowReplacement(
            actor,
            user,
            forMs == null
                ? org.keydir.usecases.CrossSigningAdmin.DEFAULT_WINDOW_MS
                : forMs.asLong())
        .map(
            until ->
                JsonNodeFactory.instance
                    .objectNode()
                    .put("user_id", user)
                    .put("expires_ts", until));
  }

  /** GET /users/{userId}/cross_signing → the user's cross-signing keys and who signed them. */
  Future<JsonNode> showCrossSigning(RoutingContext ctx) {
    return crossSigning.show(ctx.pathParam("userId")).map(o -> (JsonNode) o);
  }

  /** DELETE /users/{userId}/cross_signing → {"deleted": n}. */
  Future<JsonNode> deleteCrossSigning(RoutingContext ctx) {
    return crossSigning
        .delete(ACTOR, ctx.pathParam("userId"))
        .map(n -> (JsonNode) JsonNodeFactory.instance.objectNode().put("deleted", n));
  }

  /** GET /users/{userId}/devices → {devices: [...]}. */
  Future<JsonNode> listDevices(RoutingContext ctx) {
    return devices
        .list(ctx.pathParam("userId"))
        .map(
            list -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              var arr = body.putArray("devices");
              list.forEach(v -> arr.add(AdminJson.device(v)));
              return body;
            });
  }

  /**
   * POST /users/{userId}/devices/{deviceId}/keys/reset {one_time_keys, fallback_keys, device_keys}
   * → {deleted}.
   */
  Future<JsonNode> resetKeys(RoutingContext ctx) {
    JsonNode body = JsonBodies.object(ctx);
    boolean otks = JsonFields.optionalBoolean(body, "one_time_keys").orElse(false);
    boolean fallbacks = JsonFields.optionalBoolean(body, "fallback_keys").orElse(false);
    boolean deviceKeys = JsonFields.optionalBoolean(body, "device_keys").orElse(false);
    if (!otks && !fallbacks && !deviceKeys) {
      throw KeydirException.of(
          KeydirException.Kind.MISSING_PARAM,
          "name what to reset: one_time_keys, fallback_keys and/or device_keys (booleans)");
    }
    return devices
        .resetKeys(
            ACTOR, ctx.pathParam("userId"), ctx.pathParam("deviceId"), otks, fallbacks, deviceKeys)
        .map(
            r ->
                (JsonNode)
                    JsonNodeFactory.instance.objectNode().set("deleted", AdminJson.reset(r)));
  }

  /** DELETE /users/{userId}/devices/{deviceId} → {deleted}. */
  Future<JsonNode> deleteDevice(RoutingContext ctx) {
    return devices
        .delete(ACTOR, ctx.pathParam("userId"), ctx.pathParam("deviceId"))
        .map(
            r ->
                (JsonNode)
                    JsonNodeFactory.instance.objectNode().set("deleted", AdminJson.reset(r)));
  }

  /** GET /audit?user_id=&limit=&from= → {entries: [...], next_from?}, newest first. */
  Future<JsonNode> audit(RoutingContext ctx) {
    Optional<String> user =
        Optional.ofNullable(ctx.request().getParam("user_id")).filter(s -> !s.isEmpty());
    if (user.isPresent() && !org.keydir.auth.MatrixIds.isUserId(user.get())) {
      throw KeydirException.invalidParam("'user_id' is not a valid Matrix user id");
    }
    // range-checked as a long: (int) 4294967297 would be 1
    int limit =
        intParam(ctx, "limit")
            .map(l -> l < 1 || l > Integer.MAX_VALUE ? -1 : l.intValue())
            .orElse(100);
    Optional<Long> from = intParam(ctx, "from");
    return auditLog
        .list(user, from, limit)
        .map(
            page -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              var arr = body.putArray("entries");
              page.entries().forEach(e -> arr.add(AdminJson.audit(e)));
              page.nextFrom().ifPresent(n -> body.put("next_from", Long.toString(n)));
              return body;
            });
  }

  private static Optional<Long> intParam(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) return Optional.empty();
    try {
      return Optional.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw KeydirException.invalidParam("'%s' must be an integer", name);
    }
  }
}
