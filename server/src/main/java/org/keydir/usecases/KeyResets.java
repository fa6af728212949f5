package org.keydir.usecases;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.keydir.admin.AuditEntry;
import org.keydir.auth.Caller;
import org.keydir.keys.KeyId;
import org.keydir.keys.KeydirException;
import org.keydir.keys.ResetRequest;
import org.keydir.store.AuditStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.OneTimeKeyStore;

/**
 * MSC4162 reset of the calling device's one-time keys, in one transaction with its audit row. It
 * holds the device row lock, so an upload that began after it waits and is never deleted by it; it
 * deletes only available keys under row locks, so a key is either claimed or deleted, never both.
 * Fallback keys are not one-time keys and are not touched.
 */
public final class KeyResets {
  private final Pool pool;
  private final DeviceStore devices;
  private final OneTimeKeyStore oneTimeKeys;
  private final AuditStore audit;
  private final Clock clock;

  public KeyResets(
      Pool pool, DeviceStore devices, OneTimeKeyStore oneTimeKeys, AuditStore audit, Clock clock) {
    this.pool = pool;
    this.devices = devices;
    this.oneTimeKeys = oneTimeKeys;
    this.audit = audit;
    this.clock = clock;
  }

  /** Returns the device's available one-time key counts after the reset. */
  public Future<Map<String, Integer>> reset(Caller caller, ResetRequest req) {
    String u = caller.userId();
    String d = caller.deviceId();
    return pool.withTransaction(
        tx ->
            devices
                .lock(tx, u, d)
                .compose(
                    found ->
                        found
                            ? oneTimeKeys.deleteAvailable(tx, u, d, req.keyIds())
                            : Future.failedFuture(
                                KeydirException.of(
                                    KeydirException.Kind.UNKNOWN_TOKEN,
                                    "this device no longer exists")))
                .compose(
                    deleted ->
                        audit.append(
                            tx,
                            AuditEntry.of(
                                clock.millis(),
                                u + "/" + d,
                                "keys.reset",
                                u,
                                d,
                                details(req, deleted))))
                .compose(v -> oneTimeKeys.counts(tx, u, d)));
  }

  private static String details(ResetRequest req, List<KeyId> deleted) {
    ObjectNode n =
        JsonNodeFactory.instance
            .objectNode()
            .put("all", req.resetsAll())
            .put("one_time_keys_deleted", deleted.size());
    if (!req.resetsAll()) n.put("key_ids_requested", req.keyIds().size());
    var ids = n.putArray("deleted_key_ids");
    deleted.stream().limit(100).forEach(k -> ids.add(k.toString()));
    return n.toString();
  }
}
