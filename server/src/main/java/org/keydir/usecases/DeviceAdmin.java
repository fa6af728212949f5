package org.keydir.usecases;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.keydir.admin.AuditEntry;
import org.keydir.admin.CreatedDevice;
import org.keydir.admin.ResetReport;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.KeydirException;
import org.keydir.store.AuditStore;
import org.keydir.store.DeviceKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.FallbackKeyStore;
import org.keydir.store.OneTimeKeyStore;
import org.keydir.store.TokenStore;

/**
 * Operator actions on devices, shared by the admin API and the CLI. Every change is one transaction
 * together with its audit row; {@code actor} says who acted.
 */
public final class DeviceAdmin {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Pool pool;
  private final Stores stores;
  private final String serverName;
  private final Clock clock;

  /** The stores an operator action touches. */
  public record Stores(
      DeviceStore devices,
      TokenStore tokens,
      DeviceKeyStore deviceKeys,
      OneTimeKeyStore oneTimeKeys,
      FallbackKeyStore fallbackKeys,
      AuditStore audit,
      DeviceListStore deviceLists,
      org.keydir.store.TrackingStore tracking,
      org.keydir.store.DeviceOverviewStore overview) {}

  private final boolean issuesTokens;

  private final LocalTokens localTokens;

  /**
   * {@code localTokens} null: delegated auth, where devices and their tokens come from the
   * homeserver; otherwise the tokens this replica keeps, told of a deleted device at once (other
   * replicas hear of it through LISTEN).
   */
  public DeviceAdmin(
      Pool pool, Stores stores, String serverName, Clock clock, LocalTokens localTokens) {
    this.issuesTokens = localTokens != null;
    this.localTokens = localTokens;
    this.pool = pool;
    this.stores = stores;
    this.serverName = serverName;
    this.clock = clock;
  }

  /** Creates the device (or reuses an existing one) and issues a fresh access token for it. */
  public Future<CreatedDevice> createDevice(
      String actor, String userId, Optional<String> deviceId, Optional<String> displayName) {
    if (!issuesTokens) {
      throw KeydirException.invalidParam(
          "auth.mode is delegated: devices and their access tokens come from the "
              + "homeserver (log in there); keydir creates a device the first time it sees one of its tokens");
    }
    requireLocalUser(userId);
    if (deviceId.isPresent() && !MatrixIds.isDeviceId(deviceId.get())) {
      throw KeydirException.invalidParam("'device_id' must be 1-255 printable ASCII characters");
    }
    String device = deviceId.orElseGet(DeviceAdmin::newDeviceId);
    String token = AccessTokens.generate();
    long now = clock.millis();
    return pool.withTransaction(
            tx ->
                stores
                    .devices()
                    .createIfAbsent(tx, userId, device, displayName.orElse(null), now)
                    .compose(
                        created ->
                            (created
                                    ? stores
                                        .deviceLists()
                                        .bump(
                                            tx,
                                            userId,
                                            device,
                                            org.keydir.keys.DeviceListChange.Kind.DEVICE)
                                    : Future.<Void>succeededFuture())
                                .compose(
                                    v ->
                                        stores
                                            .tokens()
                                            .insert(
                                                tx, AccessTokens.hash(token), userId, device, now))
                                .compose(
                                    v ->
                                        audit(
                                            tx,
                                            actor,
                                            "device.create",
                                            userId,
                                            device,
                                            details()
                                                .put("created", created)
                                                .put("token_issued", true)))))
        .map(v -> new CreatedDevice(userId, device, token));
  }

  public String serverName() {
    return serverName;
  }

  public Future<DeviceView> show(String userId, String deviceId) {
    requireIds(userId, deviceId);
    return stores
        .devices()
        .get(pool, userId, deviceId)
        .compose(
            found -> {
              DeviceStore.Device device = found.orElseThrow(() -> notFound(userId, deviceId));
              var keys = stores.deviceKeys().get(pool, userId, deviceId);
              var counts = stores.oneTimeKeys().counts(pool, userId, deviceId);
              var fallbacks = stores.fallbackKeys().get(pool, userId, deviceId);
              var stats = stores.oneTimeKeys().stats(pool, userId, deviceId);
              var keysTs = stores.deviceKeys().uploadedTs(pool, userId, deviceId);
              var fallbackTs = stores.fallbackKeys().lastUploadTs(pool, userId, deviceId);
              return Future.all(List.of(keys, counts, fallbacks, stats, keysTs, fallbackTs))
                  .map(
                      all ->
                          new DeviceView(
                              device,
                              keys.result().map(k -> k.json()),
                              counts.result(),
                              fallbacks.result(),
                              stats.result().claimed(),
                              latest(
                                  stats.result().lastUploadTs(),
                                  keysTs.result().orElse(null),
                                  fallbackTs.result())));
            });
  }

  /** One statement for all the user's devices (the per-device show() would be seven each). */
  public Future<List<DeviceView>> list(String userId) {
    requireLocalUser(userId);
    return stores
        .overview()
        .list(pool, userId)
        .map(
            all ->
                all.stream()
                    .map(
                        o ->
                            new DeviceView(
                                o.device(),
                                java.util.Optional.ofNullable(o.deviceKeysJson()),
                                o.counts(),
                                o.fallbackKeys(),
                                o.claimed(),
                                latest(
                                    o.lastOneTimeKeyUpload(),
                                    o.deviceKeysTs(),
                                    o.lastFallbackUpload())))
                    .toList());
  }

  /**
   * Deletes what the flags name; claimed one-time key tombstones stay (they keep "never twice"
   * true).
   */
  public Future<ResetReport> resetKeys(
      String actor,
      String userId,
      String deviceId,
      boolean oneTimeKeys,
      boolean fallbackKeys,
      boolean deviceKeys) {
    requireIds(userId, deviceId);
    return pool.withTransaction(
        tx ->
            lockOrNotFound(tx, userId, deviceId)
                .compose(
                    v -> {
                      var otks =
                          oneTimeKeys
                              ? stores.oneTimeKeys().deleteAvailable(tx, userId, deviceId, null)
                              : Future.succeededFuture(List.<org.keydir.keys.KeyId>of());
                      var fbs =
                          fallbackKeys
                              ? stores.fallbackKeys().deleteDevice(tx, userId, deviceId)
                              : Future.succeededFuture(List.<org.keydir.keys.KeyId>of());
                      var dk =
                          deviceKeys
                              ? stores
                                  .deviceKeys()
                                  .delete(tx, userId, deviceId)
                                  .compose(
                                      deleted ->
                                          deleted
                                              ? stores
                                                  .deviceLists()
                                                  .bump(
                                                      tx,
                                                      userId,
                                                      deviceId,
                                                      org.keydir.keys.DeviceListChange.Kind.DEVICE)
                                                  .map(true)
                                              : Future.succeededFuture(false))
                              : Future.succeededFuture(false);
                      return Future.all(otks, fbs, dk)
                          .map(
                              all ->
                                  new ResetReport(
                                      otks.result().size(), fbs.result(), dk.result(), 0));
                    })
                .compose(
                    report ->
                        audit(
                                tx,
                                actor,
                                "keys.reset",
                                userId,
                                deviceId,
                                details()
                                    .put("one_time_keys", oneTimeKeys)
                                    .put("fallback_keys", fallbackKeys)
                                    .put("device_keys", deviceKeys)
                                    .set("deleted", AdminJson.reset(report)))
                            .map(report)));
  }

  /**
   * Drops the device: its keys (tombstones included), fallback keys, tokens and the device itself.
   */
  public Future<ResetReport> delete(String actor, String userId, String deviceId) {
    requireIds(userId, deviceId);
    return deleteInTransaction(actor, userId, deviceId)
        .onSuccess(
            report -> {
              if (localTokens != null) localTokens.invalidateDevice(userId, deviceId);
            });
  }

  private Future<ResetReport> deleteInTransaction(String actor, String userId, String deviceId) {
    return pool.withTransaction(
        tx ->
            lockOrNotFound(tx, userId, deviceId)
                .compose(
                    v -> {
                      var otks = stores.oneTimeKeys().deleteDevice(tx, userId, deviceId);
                      var fbs = stores.fallbackKeys().deleteDevice(tx, userId, deviceId);
                      var dk = stores.deviceKeys().delete(tx, userId, deviceId);
                      var tokens = stores.tokens().deleteForDevice(tx, userId, deviceId);
                      var device = stores.devices().delete(tx, userId, deviceId);
                      var position =
                          stores
                              .deviceLists()
                              .bump(
                                  tx,
                                  userId,
                                  deviceId,
                                  org.keydir.keys.DeviceListChange.Kind.DEVICE_DELETED);
                      // after the stream entry: it queues the deletion for the servers that asked,
                      // before they are forgotten
                      var tracked =
                          Future.all(device, position)
                              .compose(gone -> stores.tracking().forgetIfNoDevice(tx, userId));
                      return Future.all(List.of(otks, fbs, dk, tokens, device, position, tracked))
                          .map(
                              all ->
                                  new ResetReport(
                                      otks.result(), fbs.result(), dk.result(), tokens.result()));
                    })
                .compose(
                    report ->
                        audit(
                                tx,
                                actor,
                                "device.delete",
                                userId,
                                deviceId,
                                (ObjectNode) details().set("deleted", AdminJson.reset(report)))
                            .map(report)));
  }

  private Future<Void> lockOrNotFound(SqlClient tx, String userId, String deviceId) {
    return stores
        .devices()
        .lock(tx, userId, deviceId)
        .compose(
            found ->
                found ? Future.succeededFuture() : Future.failedFuture(notFound(userId, deviceId)));
  }

  private Future<Void> audit(
      SqlClient tx,
      String actor,
      String action,
      String userId,
      String deviceId,
      ObjectNode details) {
    return stores
        .audit()
        .append(
            tx, AuditEntry.of(clock.millis(), actor, action, userId, deviceId, details.toString()));
  }

  private static ObjectNode details() {
    return JsonNodeFactory.instance.objectNode();
  }

  private void requireLocalUser(String userId) {
    if (!MatrixIds.isUserId(userId)) {
      throw KeydirException.invalidParam("'%s' is not a valid Matrix user id", userId);
    }
    if (!MatrixIds.serverOf(userId).equals(serverName)) {
      throw KeydirException.invalidParam(
          "user %s is not a user of this server (%s)", userId, serverName);
    }
  }

  private void requireIds(String userId, String deviceId) {
    requireLocalUser(userId);
    if (!MatrixIds.isDeviceId(deviceId))
      throw KeydirException.invalidParam("'%s' is not a valid device id", deviceId);
  }

  private static KeydirException notFound(String userId, String deviceId) {
    return KeydirException.of(
        KeydirException.Kind.NOT_FOUND, "no device %s of %s", deviceId, userId);
  }

  private static Optional<Long> latest(Long... times) {
    Long best = null;
    for (Long t : times) if (t != null && (best == null || t > best)) best = t;
    return Optional.ofNullable(best);
  }

  private static String newDeviceId() {
    StringBuilder sb = new StringBuilder(10);
    for (int i = 0; i < 10; i++) sb.append((char) ('A' + RANDOM.nextInt(26)));
    return sb.toString();
  }
}
