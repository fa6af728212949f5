package org.keydir.usecases;

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
import org.keydir.keys.ApprovalRequired;
import org.keydir.keys.CrossSigningKey;
import org.keydir.keys.CrossSigningPlanner;
import org.keydir.keys.CrossSigningUpload;
import org.keydir.keys.DeviceListChange;
import org.keydir.keys.StoredCrossSigningKey;
import org.keydir.store.AuditStore;
import org.keydir.store.CrossSigningApprovalStore;
import org.keydir.store.CrossSigningKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.KeySignatureStore;

/**
 * {@code POST /keys/device_signing/upload} as one transaction: the user's identity is locked, read,
 * decided on by {@link CrossSigningPlanner} (pure), and written with one device-list position. A
 * replacement needs the operator's approval: an open window (admin API / CLI) is taken and closed
 * by it, audited; without one the answer is user-interactive auth and nothing is stored.
 *
 * <p>What a replacement keeps: a replaced key's row is overwritten; the signatures made by the old
 * key and those made on it ({@code key_signatures}) are deleted; a new master key also drops the
 * stored self-signing and user-signing keys the request does not replace (they were signed by the
 * old master). Signatures embedded in device keys by {@code /keys/upload} stay in those objects
 * (clients ignore signatures by keys that are no longer the user's).
 */
public final class CrossSigningUploads {
  private final Pool pool;
  private final CrossSigningKeyStore keys;
  private final DeviceStore devices;
  private final DeviceListStore deviceLists;
  private final Clock clock;
  private final CrossSigningApprovalStore approvals;
  private final KeySignatureStore signatures;
  private final AuditStore audit;
  private final String approvalUrl;

  public CrossSigningUploads(
      Pool pool,
      CrossSigningKeyStore keys,
      DeviceStore devices,
      DeviceListStore deviceLists,
      Clock clock,
      CrossSigningApprovalStore approvals,
      KeySignatureStore signatures,
      AuditStore audit,
      String approvalUrl) {
    this.approvals = approvals;
    this.signatures = signatures;
    this.audit = audit;
    this.approvalUrl = approvalUrl;
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
    return pool.withTransaction(
        tx ->
            keys.lockUser(tx, user)
                .compose(
                    v -> {
                      var stored = keys.forUsers(tx, List.of(user));
                      var deviceIds = devices.list(tx, user);
                      return Future.all(stored, deviceIds)
                          .map(
                              all ->
                                  CrossSigningPlanner.plan(
                                      user,
                                      upload,
                                      byUsage(stored.result()),
                                      deviceIds.result().stream()
                                          .map(DeviceStore.Device::deviceId)
                                          .collect(Collectors.toSet())));
                    })
                .compose(
                    plan ->
                        !plan.replaces()
                            ? write(tx, user, plan, now)
                            : approvals
                                .take(tx, user)
                                .compose(
                                    window ->
                                        window.isPresent() && window.get() >= now
                                            ? replace(tx, caller, plan, now)
                                                .compose(v -> write(tx, user, plan, now))
                                            : Future.failedFuture(
                                                ApprovalRequired.forUser(user, approvalUrl)))));
  }

  /**
   * Drops what the superseded keys vouched for (the planner decided which), and audits the
   * approval's use.
   */
  private Future<Void> replace(
      SqlClient tx, Caller caller, CrossSigningPlanner.Plan plan, long now) {
    String user = caller.userId();
    Future<Void> chain = Future.succeededFuture();
    for (StoredCrossSigningKey old : plan.superseded())
      chain = chain.compose(v -> signatures.deleteOnAndBy(tx, user, old.publicKey()));
    for (StoredCrossSigningKey old : plan.dropped())
      chain = chain.compose(v -> keys.delete(tx, user, old.usage()));
    var details = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    details
        .putArray("replaced")
        .addAll(
            plan.writes().stream()
                .map(k -> com.fasterxml.jackson.databind.node.TextNode.valueOf(k.usage()))
                .toList());
    return chain.compose(
        v ->
            audit.append(
                tx,
                org.keydir.admin.AuditEntry.of(
                    now,
                    user + "/" + caller.deviceId(),
                    "cross_signing.replace",
                    user,
                    caller.deviceId(),
                    details.toString())));
  }

  private Future<Void> write(SqlClient tx, String user, CrossSigningPlanner.Plan plan, long now) {
    if (plan.writes().isEmpty()) return Future.succeededFuture();
    Future<Void> chain = Future.succeededFuture();
    for (CrossSigningKey k : plan.writes()) {
      chain =
          chain.compose(
              v ->
                  keys.put(
                      tx, user, k.usage(), k.publicKey(), CanonicalJson.encode(k.json()), now));
    }
    return chain.compose(
        v -> deviceLists.bump(tx, user, null, DeviceListChange.Kind.CROSS_SIGNING));
  }

  static Map<String, StoredCrossSigningKey> byUsage(List<StoredCrossSigningKey> stored) {
    Map<String, StoredCrossSigningKey> out = new HashMap<>();
    stored.forEach(k -> out.put(k.usage(), k));
    return out;
  }
}
