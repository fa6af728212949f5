package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.keydir.auth.Caller;
import org.keydir.auth.MatrixIds;
import org.keydir.host.DeviceListFeed;
import org.keydir.host.HostNotices;
import org.keydir.host.SyncStates;
import org.keydir.host.VerdictCache;
import org.keydir.keys.DeviceListToken;
import org.keydir.keys.JsonFields;
import org.keydir.keys.KeydirException;
import org.keydir.usecases.CrossSigningAdmin;
import org.keydir.usecases.DeviceAdmin;

/**
 * {@code /_keydir/internal/v1/...}: what the homeserver asks of keydir and tells it (actor "host").
 */
final class InternalHandlers {
  static final String ACTOR = "host";
  private final SyncStates syncStates;
  private final DeviceListFeed feed;
  private final DeviceAdmin devices;
  private final CrossSigningAdmin crossSigning;
  private final HostNotices notices;
  private final String serverName;

  InternalHandlers(
      SyncStates syncStates,
      DeviceListFeed feed,
      DeviceAdmin devices,
      CrossSigningAdmin crossSigning,
      HostNotices notices,
      String serverName) {
    this.syncStates = syncStates;
    this.feed = feed;
    this.devices = devices;
    this.crossSigning = crossSigning;
    this.notices = notices;
    this.serverName = serverName;
  }

  /**
   * POST /sync_state {devices: [{user_id, device_id}]} → {devices: {user: {device:
   * {one_time_key_counts, unused_fallback_key_types}}}}.
   */
  Future<JsonNode> syncState(RoutingContext ctx) {
    JsonNode list = JsonBodies.object(ctx).get("devices");
    if (list == null || !list.isArray())
      throw KeydirException.badJson("'devices' must be an array");
    if (list.size() > SyncStates.MAX_DEVICES) {
      throw KeydirException.of(
          KeydirException.Kind.KEY_LIMIT, "at most %d devices per request", SyncStates.MAX_DEVICES);
    }
    List<Caller> wanted = new ArrayList<>();
    for (JsonNode d : list) {
      if (!d.isObject()) throw KeydirException.badJson("each of 'devices' must be an object");
      wanted.add(
          device(
              JsonFields.requiredString(d, "user_id"), JsonFields.requiredString(d, "device_id")));
    }
    return syncStates
        .read(wanted)
        .map(
            states -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              ObjectNode users = body.putObject("devices");
              states.forEach(
                  (user, byDevice) -> {
                    ObjectNode u = users.putObject(user);
                    byDevice.forEach(
                        (device, s) -> {
                          ObjectNode o = u.putObject(device);
                          ObjectNode counts = o.putObject("one_time_key_counts");
                          s.oneTimeKeyCounts().forEach(counts::put);
                          s.unusedFallbackKeyTypes()
                              .forEach(o.putArray("unused_fallback_key_types")::add);
                        });
                  });
              return body;
            });
  }

  /**
   * GET /device_list_changes?from=&limit=&timeout_ms= → {changes: [{position, user_id, kind,
   * device_id?}], next}.
   */
  Future<JsonNode> deviceListChanges(RoutingContext ctx) {
    String fromParam = ctx.request().getParam("from");
    long from =
        fromParam == null || fromParam.isEmpty() ? 0 : DeviceListToken.parse(fromParam, "from");
    int limit = (int) number(ctx, "limit", 100, 1, DeviceListFeed.MAX_LIMIT);
    long timeout = number(ctx, "timeout_ms", 0, 0, DeviceListFeed.MAX_TIMEOUT_MS);
    return feed.read(from, limit, timeout)
        .map(
            page -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              var changes = body.putArray("changes");
              page.changes()
                  .forEach(
                      c -> {
                        ObjectNode o =
                            changes
                                .addObject()
                                .put("position", DeviceListToken.of(c.position()))
                                .put("user_id", c.userId())
                                .put("kind", c.kind().wire);
                        c.deviceId().ifPresent(d -> o.put("device_id", d));
                      });
              body.put("next", DeviceListToken.of(page.next()));
              return body;
            });
  }

  /**
   * DELETE /users/{userId}/devices/{deviceId} → {deleted: bool, ...counts}: idempotent (a device
   * keydir never saw is no error).
   */
  Future<JsonNode> deleteDevice(RoutingContext ctx) {
    Caller d = device(ctx.pathParam("userId"), ctx.pathParam("deviceId"));
    return devices
        .delete(ACTOR, d.userId(), d.deviceId())
        .map(
            report ->
                (JsonNode)
                    ((ObjectNode) org.keydir.usecases.AdminJson.reset(report)).put("deleted", true))
        .recover(
            e ->
                e instanceof KeydirException k && k.kind() == KeydirException.Kind.NOT_FOUND
                    ? Future.succeededFuture(
                        JsonNodeFactory.instance.objectNode().put("deleted", false))
                    : Future.failedFuture(e))
        .compose(body -> notices.invalidateDevice(d.userId(), d.deviceId()).map(body));
  }

  /**
   * POST /tokens/invalidate {token} | {user_id, device_id} → {}: every replica drops the cached
   * verdict.
   */
  Future<JsonNode> invalidateTokens(RoutingContext ctx) {
    JsonNode body = JsonBodies.object(ctx);
    var token = JsonFields.optionalString(body, "token");
    Future<Void> sent;
    if (token.isPresent()) {
      sent = notices.invalidateToken(VerdictCache.key(token.get()));
    } else if (body.has("user_id") || body.has("device_id")) {
      Caller d =
          device(
              JsonFields.requiredString(body, "user_id"),
              JsonFields.requiredString(body, "device_id"));
      sent = notices.invalidateDevice(d.userId(), d.deviceId());
    } else {
      throw KeydirException.of(
          KeydirException.Kind.MISSING_PARAM, "give 'token', or 'user_id' and 'device_id'");
    }
    return sent.map(v -> (JsonNode) JsonNodeFactory.instance.objectNode());
  }

  /** POST /users/{userId}/cross_signing/allow_replacement {for_ms?} → {user_id, expires_ts}. */
  Future<JsonNode> allowCrossSigningReplacement(RoutingContext ctx) {
    return AdminHandlers.allowReplacement(crossSigning, ACTOR, ctx);
  }

  private Caller device(String userId, String deviceId) {
    if (!MatrixIds.isUserId(userId))
      throw KeydirException.invalidParam("'%s' is not a valid Matrix user id", userId);
    if (!MatrixIds.serverOf(userId).equals(serverName)) {
      throw KeydirException.invalidParam(
          "user %s is not a user of this server (%s)", userId, serverName);
    }
    if (!MatrixIds.isDeviceId(deviceId))
      throw KeydirException.invalidParam("'%s' is not a valid device id", deviceId);
    return new Caller(userId, deviceId);
  }

  private static long number(RoutingContext ctx, String name, long dflt, long min, long max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) return dflt;
    if (!v.matches("[0-9]{1,12}"))
      throw KeydirException.invalidParam("'%s' must be a non-negative integer", name);
    long n = Long.parseLong(v);
    if (n < min || n > max)
      throw KeydirException.invalidParam("'%s' must be %d..%d", name, min, max);
    return n;
  }
}
