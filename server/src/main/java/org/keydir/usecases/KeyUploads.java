package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.Map;
import org.keydir.auth.Caller;
import org.keydir.keys.DeviceListChange;
import org.keydir.keys.KeydirException;
import org.keydir.keys.StoredDeviceState;
import org.keydir.keys.UploadLimits;
import org.keydir.keys.UploadPlan;
import org.keydir.keys.UploadPlanner;
import org.keydir.keys.UploadRequest;
import org.keydir.keys.UploadedKey;
import org.keydir.store.DeviceKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.FallbackKeyStore;
import org.keydir.store.OneTimeKeyStore;

/**
 * {@code POST /keys/upload} as one transaction: lock the device, read its state, decide with {@link
 * UploadPlanner} (pure), write, count. A rule broken anywhere rolls everything back.
 */
public final class KeyUploads {
  private final Pool pool;
  private final DeviceStore devices;
  private final DeviceKeyStore deviceKeys;
  private final OneTimeKeyStore oneTimeKeys;
  private final FallbackKeyStore fallbackKeys;
  private final DeviceListStore deviceLists;
  private final UploadLimits limits;
  private final Clock clock;

  public KeyUploads(
      Pool pool,
      DeviceStore devices,
      DeviceKeyStore deviceKeys,
      OneTimeKeyStore oneTimeKeys,
      FallbackKeyStore fallbackKeys,
      DeviceListStore deviceLists,
      UploadLimits limits,
      Clock clock) {
    this.deviceLists = deviceLists;
    this.pool = pool;
    this.devices = devices;
    this.deviceKeys = deviceKeys;
    this.oneTimeKeys = oneTimeKeys;
    this.fallbackKeys = fallbackKeys;
    this.limits = limits;
    this.clock = clock;
  }

  /** Returns the available one-time key counts per algorithm after the upload. */
  public Future<Map<String, Integer>> upload(Caller caller, UploadRequest req) {
    if (req.deviceKeys().isEmpty() && req.keyCount() == 0) {
      return oneTimeKeys.counts(pool, caller.userId(), caller.deviceId());
    }
    long now = clock.millis();
    return pool.withTransaction(
        tx ->
            devices
                .lock(tx, caller.userId(), caller.deviceId())
                .compose(
                    found ->
                        found
                            ? readState(tx, caller, req)
                            : Future.failedFuture(
                                KeydirException.of(
                                    KeydirException.Kind.UNKNOWN_TOKEN,
                                    "this device no longer exists")))
                .compose(
                    state ->
                        offEventLoop(() -> UploadPlanner.plan(caller, req, state, limits))
                            .compose(
                                plan ->
                                    write(tx, caller, plan, now)
                                        .map(v -> plan.countsAfter(state.availableCounts())))));
  }

  /**
   * Signature checks cost ~33 µs each with AWS-LC (1,000 keys: ~33 ms of CPU): never on an event
   * loop. The planner is pure, so it runs on a worker thread (which hands the signatures to
   * crypto.ManySignatures' pool) and its result (or rule failure) comes back to the chain.
   */
  private static <T> Future<T> offEventLoop(java.util.concurrent.Callable<T> work) {
    io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
    if (ctx == null || !ctx.isEventLoopContext()) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return ctx.executeBlocking(work, false);
  }

  /** The four reads are sent together and pipelined on the transaction's connection. */
  private Future<StoredDeviceState> readState(SqlClient tx, Caller c, UploadRequest req) {
    var dk = deviceKeys.get(tx, c.userId(), c.deviceId());
    var otks =
        oneTimeKeys.find(
            tx,
            c.userId(),
            c.deviceId(),
            req.oneTimeKeys().stream().map(UploadedKey::keyId).toList());
    var counts = oneTimeKeys.counts(tx, c.userId(), c.deviceId());
    var fallbacks = fallbackKeys.get(tx, c.userId(), c.deviceId());
    return Future.all(dk, otks, counts, fallbacks)
        .map(
            all ->
                new StoredDeviceState(
                    dk.result(), otks.result(), counts.result(), fallbacks.result()));
  }

  private Future<Void> write(SqlClient tx, Caller c, UploadPlan plan, long now) {
    if (plan.writesNothing()) return Future.succeededFuture();
    Future<Void> device =
        plan.deviceKeys()
            .map(
                dk ->
                    deviceKeys
                        .upsert(tx, c.userId(), c.deviceId(), dk, now)
                        .compose(
                            v ->
                                deviceLists.bump(
                                    tx, c.userId(), c.deviceId(), DeviceListChange.Kind.DEVICE)))
            .orElse(Future.succeededFuture());
    Future<Void> otks =
        oneTimeKeys.insert(tx, c.userId(), c.deviceId(), plan.newOneTimeKeys(), now);
    Future<Void> fallbacks =
        fallbackKeys.upsert(tx, c.userId(), c.deviceId(), plan.newFallbackKeys(), now);
    return Future.all(device, otks, fallbacks).mapEmpty();
  }
}
