package org.keydir.keys;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.keydir.auth.Caller;
import org.keydir.crypto.CanonicalJson;
import org.keydir.store.CrossSigningKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;

/**
 * {@code POST /keys/device_signing/upload} as one transaction: the user's identity is locked, read,
 * decided on by {@link CrossSigningPlanner} (pure), and written with one device-list position. A
 * replacement needs the operator's approval; until the approval window exists (issue 13, next
 * step) it is always answered with user-interactive auth and nothing is stored.
 */
public final class CrossSigningUploads {
  private final Pool pool;
  private final CrossSigningKeyStore keys;
  private final DeviceStore devices;
  private final DeviceListStore deviceLists;
  private final Clock clock;

  public CrossSigningUploads(Pool pool, CrossSigningKeyStore keys, DeviceStore devices, DeviceListStore deviceLists,
                             Clock clock) {
    this.pool = pool;
    this.keys = keys;
    this.devices = devices;
    this.deviceLists = deviceLists;
    this.clock = clock;
  }

  public Future<Void> upload(Caller caller, CrossSigningUpload upload) {
    if (upload.keys().isEmpty()) return Future.succeededFuture();
    String user = caller.userId();
    long now = clock.millis();
    return pool.withTransaction(tx -> keys.lockUser(tx, user)
        .compose(v -> {
          var stored = keys.forUsers(tx, List.of(user));
          var deviceIds = devices.list(tx, user);
          return Future.all(stored, deviceIds).map(all -> CrossSigningPlanner.plan(user, upload,
              byUsage(stored.result()),
              deviceIds.result().stream().map(DeviceStore.Device::deviceId).collect(Collectors.toSet())));
        })
        .compose(plan -> plan.replaces() ? Future.failedFuture(ApprovalRequired.forUser(user)) : write(tx, user, plan, now)));
  }

  private Future<Void> write(SqlClient tx, String user, CrossSigningPlanner.Plan plan, long now) {
    if (plan.writes().isEmpty()) return Future.succeededFuture();
    Future<Void> chain = Future.succeededFuture();
    for (CrossSigningKey k : plan.writes()) {
      chain = chain.compose(v -> keys.put(tx, user, k.usage(), k.publicKey(), CanonicalJson.encode(k.json()), now));
    }
    return chain.compose(v -> deviceLists.bump(tx, user));
  }

  static Map<String, StoredCrossSigningKey> byUsage(List<StoredCrossSigningKey> stored) {
    Map<String, StoredCrossSigningKey> out = new HashMap<>();
    stored.forEach(k -> out.put(k.usage(), k));
    return out;
  }

}
