package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.keydir.auth.Caller;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.DeviceListChange;
import org.keydir.keys.KeySignature;
import org.keydir.keys.KeydirException;
import org.keydir.keys.SignaturePlanner;
import org.keydir.keys.StoredCrossSigningKey;
import org.keydir.store.CrossSigningKeyStore;
import org.keydir.store.DeviceKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.KeySignatureStore;

/**
 * {@code POST /keys/signatures/upload} as one transaction under the caller's identity lock: read
 * the caller's devices and the cross-signing keys involved, decide with {@link SignaturePlanner}
 * (pure), store the good signatures (merged into what is stored, never replacing an object) with
 * one device-list position for the caller, and answer the bad ones in {@code failures}.
 */
public final class SignatureUploads {
  private final Pool pool;
  private final String serverName;
  private final DeviceKeyStore deviceKeys;
  private final CrossSigningKeyStore crossSigning;
  private final KeySignatureStore signatures;
  private final DeviceListStore deviceLists;
  private final Clock clock;
  private final org.keydir.store.DeviceStore deviceRows;

  public SignatureUploads(
      Pool pool,
      String serverName,
      DeviceKeyStore deviceKeys,
      CrossSigningKeyStore crossSigning,
      KeySignatureStore signatures,
      DeviceListStore deviceLists,
      org.keydir.store.DeviceStore deviceRows,
      Clock clock) {
    this.pool = pool;
    this.deviceRows = deviceRows;
    this.serverName = serverName;
    this.deviceKeys = deviceKeys;
    this.crossSigning = crossSigning;
    this.signatures = signatures;
    this.deviceLists = deviceLists;
    this.clock = clock;
  }

  public static List<SignaturePlanner.Entry> parse(JsonNode body) {
    List<SignaturePlanner.Entry> out = new ArrayList<>();
    for (var user : body.properties()) {
      if (!MatrixIds.isUserId(user.getKey()))
        throw KeydirException.invalidParam("'%s' is not a user id", user.getKey());
      if (!user.getValue().isObject())
        throw KeydirException.badJson("'%s' must be an object", user.getKey());
      for (var key : user.getValue().properties())
        out.add(new SignaturePlanner.Entry(user.getKey(), key.getKey(), key.getValue()));
    }
    return out;
  }

  public Future<Map<String, Map<String, SignaturePlanner.Failure>>> upload(
      Caller caller, List<SignaturePlanner.Entry> entries) {
    if (entries.isEmpty()) return Future.succeededFuture(Map.of());
    String me = caller.userId();
    TreeSet<String> localUsers = new TreeSet<>(List.of(me));
    entries.forEach(
        e -> {
          if (MatrixIds.serverOf(e.userId()).equals(serverName)) localUsers.add(e.userId());
        });
    long now = clock.millis();
    java.util.Set<String> myDevices = new java.util.HashSet<>();
    return pool.withTransaction(
        tx ->
            crossSigning
                .lockUser(tx, me)
                .compose(
                    v -> {
                      var devices =
                          deviceKeys.query(tx, List.of(me), List.of(me), List.of(), List.of());
                      var identities = crossSigning.forUsers(tx, new ArrayList<>(localUsers));
                      var deviceIds = deviceRows.list(tx, me);
                      return Future.all(devices, identities, deviceIds)
                          .map(
                              all -> {
                                Map<String, String> mine = new HashMap<>();
                                devices.result().forEach(d -> mine.put(d.deviceId(), d.keyJson()));
                                Map<String, Map<String, StoredCrossSigningKey>> byUser =
                                    new HashMap<>();
                                identities
                                    .result()
                                    .forEach(
                                        k ->
                                            byUser
                                                .computeIfAbsent(k.userId(), u -> new HashMap<>())
                                                .put(k.usage(), k));
                                java.util.Set<String> ids = new java.util.HashSet<>();
                                deviceIds.result().forEach(d -> ids.add(d.deviceId()));
                                myDevices.addAll(ids);
                                return SignaturePlanner.plan(
                                    entries,
                                    new SignaturePlanner.State(me, serverName, mine, ids, byUser));
                              });
                    })
                .compose(
                    plan ->
                        plan.accepted().isEmpty()
                            ? Future.succeededFuture(plan.failures())
                            : signatures
                                .insert(tx, plan.accepted(), now)
                                .compose(v -> bumpAll(tx, me, plan.accepted(), myDevices))
                                .map(plan.failures())));
  }

  /**
   * The caller's devices must re-query the caller; a user-signing signature on another local user's
   * master key also changes what the signer sees of that user, so the target takes a position too
   * (others who re-query the target see nothing new: the host filters by shared rooms anyway).
   */
  private Future<Void> bumpAll(
      io.vertx.sqlclient.SqlClient tx,
      String me,
      List<KeySignature> accepted,
      java.util.Set<String> myDevices) {
    TreeSet<String> users = new TreeSet<>();
    TreeSet<String> devices = new TreeSet<>();
    accepted.forEach(
        s -> {
          if (s.userId().equals(me) && myDevices.contains(s.targetKeyId()))
            devices.add(s.targetKeyId());
          else if (MatrixIds.serverOf(s.userId()).equals(serverName)) users.add(s.userId());
        });
    if (devices.isEmpty())
      users.add(me); // the caller always takes a position: per device, or as a user
    Future<Void> chain = Future.succeededFuture();
    for (String d : devices)
      chain = chain.compose(v -> deviceLists.bump(tx, me, d, DeviceListChange.Kind.DEVICE));
    for (String u : users)
      chain = chain.compose(v -> deviceLists.bump(tx, u, null, DeviceListChange.Kind.SIGNATURE));
    return chain;
  }
}
