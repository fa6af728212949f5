package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.CrossSigningKey;
import org.keydir.keys.KeySignature;
import org.keydir.keys.KeydirException;
import org.keydir.keys.QueriedDevice;
import org.keydir.keys.QueryRequest;
import org.keydir.keys.QueryTracking;
import org.keydir.keys.RemoteFailure;
import org.keydir.keys.RemoteLimits;
import org.keydir.keys.RemoteServers;
import org.keydir.keys.SignatureMerge;
import org.keydir.keys.StoredCrossSigningKey;
import org.keydir.store.DeviceKeyStore;
import org.keydir.store.DeviceListStore;

/**
 * {@code POST /keys/query}: local users' device keys in one statement, remote users' from their
 * servers through federation in parallel ({@link FanOut}); unreachable servers go to {@code
 * failures}.
 */
public final class KeyQueries {
  private final SqlClient db;
  private final DeviceKeyStore store;
  private final String serverName;
  private final RemoteServers remote;
  private final RemoteLimits remoteLimits;
  private final int maxUsers;
  private final org.keydir.store.CrossSigningKeyStore crossSigningKeys;
  private final org.keydir.store.KeySignatureStore keySignatures;
  private final DeviceListStore deviceLists;

  private final QueryTracking tracking;

  public KeyQueries(
      SqlClient db,
      DeviceKeyStore store,
      DeviceListStore deviceLists,
      String serverName,
      RemoteServers remote,
      RemoteLimits remoteLimits,
      int maxUsers,
      QueryTracking tracking,
      org.keydir.store.CrossSigningKeyStore crossSigningKeys,
      org.keydir.store.KeySignatureStore keySignatures) {
    this.tracking = tracking;
    this.crossSigningKeys = crossSigningKeys;
    this.keySignatures = keySignatures;
    this.db = db;
    this.store = store;
    this.deviceLists = deviceLists;
    this.serverName = serverName;
    this.remote = remote;
    this.remoteLimits = remoteLimits;
    this.maxUsers = maxUsers;
  }

  /**
   * A local user's devices with keys and the user's device-list position (federation user/devices).
   */
  /**
   * {@code crossSigning}: usage → key JSON, master and self-signing only (never user-signing over
   * federation).
   */
  public record UserDevices(
      String userId,
      long streamId,
      List<QueriedDevice> devices,
      Map<String, String> crossSigning) {}

  public Future<UserDevices> userDevices(String userId) {
    if (!MatrixIds.isUserId(userId) || !MatrixIds.serverOf(userId).equals(serverName)) {
      return Future.failedFuture(
          KeydirException.invalidParam("%s is not a user of this server", userId));
    }
    var position = deviceLists.position(db, userId);
    var devices = queryLocal(Map.of(userId, List.of()));
    var identity = crossSigning(List.of(userId), null);
    return Future.all(position, devices, identity)
        .map(
            v ->
                new UserDevices(
                    userId,
                    position.result(),
                    devices.result(),
                    identity.result().getOrDefault(userId, Map.of())));
  }

  /**
   * {@code crossSigning}: user → usage → key JSON as uploaded, for local queried users; the
   * user-signing key only for the caller's own user (spec: nobody else may see it). {@code
   * localUsers}: every local user queried, so each appears in {@code device_keys} even without
   * devices.
   */
  public record Result(
      List<QueriedDevice> devices,
      Map<String, JsonNode> remoteUsers,
      Map<String, RemoteFailure> failures,
      Map<String, Map<String, String>> crossSigning,
      List<String> localUsers,
      Map<String, Map<String, JsonNode>> remoteCrossSigning) {
    public Result(
        List<QueriedDevice> devices,
        Map<String, JsonNode> remoteUsers,
        Map<String, RemoteFailure> failures,
        Map<String, Map<String, String>> crossSigning,
        List<String> localUsers) {
      this(devices, remoteUsers, failures, crossSigning, localUsers, Map.of());
    }
  }

  public Future<Result> query(QueryRequest req) {
    return query(null, req);
  }

  /**
   * {@code callerUserId} decides what cross-signing keys are visible (null: none of the private
   * ones).
   */
  public Future<Result> query(String callerUserId, QueryRequest req) {
    if (req.devicesByUser().size() > maxUsers)
      return Future.failedFuture(tooMany(req.devicesByUser().size()));
    if (callerUserId == null || tracking == QueryTracking.NONE) return read(callerUserId, req);
    // before any key is read: a change the read misses then commits after the row, so a later sync
    // sees both
    return tracking
        .record(callerUserId, req.devicesByUser().keySet())
        .compose(v -> read(callerUserId, req));
  }

  private Future<Result> read(String callerUserId, QueryRequest req) {
    Map<String, List<String>> local = new TreeMap<>();
    Map<String, ObjectNode> remoteBodies = new TreeMap<>();
    req.devicesByUser()
        .forEach(
            (user, devices) -> {
              String server = MatrixIds.serverOf(user);
              if (server.equals(serverName)) {
                local.put(user, devices);
              } else {
                ObjectNode body =
                    remoteBodies.computeIfAbsent(
                        server, s -> JsonNodeFactory.instance.objectNode());
                var list =
                    (body.has("device_keys")
                            ? (ObjectNode) body.get("device_keys")
                            : body.putObject("device_keys"))
                        .putArray(user);
                devices.forEach(list::add);
              }
            });
    Future<List<QueriedDevice>> mine = queryLocal(local);
    Future<Map<String, Map<String, String>>> identities =
        crossSigning(new ArrayList<>(local.keySet()), callerUserId);
    Future<FanOut.Answers> theirs =
        FanOut.ask(
            new ArrayList<>(remoteBodies.keySet()),
            (server, remainingMs) ->
                remote.queryKeys(server, remoteBodies.get(server), remainingMs),
            "device_keys",
            List.of("master_keys", "self_signing_keys"),
            remoteLimits.timeout(req.timeoutMs()),
            remoteLimits.maxServers());
    Future<List<KeySignature>> sigs = signaturesOf(new ArrayList<>(local.keySet()));
    return Future.all(List.of(mine, theirs, identities, sigs))
        .map(
            v -> {
              Signed signed =
                  merge(mine.result(), identities.result(), sigs.result(), callerUserId);
              return new Result(
                  signed.devices(),
                  theirs.result().byUser(),
                  theirs.result().failures(),
                  signed.identities(),
                  new ArrayList<>(local.keySet()),
                  theirs.result().extra());
            });
  }

  /**
   * For a federation peer: only this server's users, never asking other servers, with master and
   * self-signing keys (never a user-signing key over federation).
   */
  public Future<Result> queryForPeer(Map<String, List<String>> byUser) {
    Map<String, List<String>> local = new TreeMap<>();
    byUser.forEach(
        (user, devices) -> {
          if (MatrixIds.serverOf(user).equals(serverName)) local.put(user, devices);
        });
    Future<List<QueriedDevice>> mine = queryLocal(local);
    Future<Map<String, Map<String, String>>> identities =
        crossSigning(new ArrayList<>(local.keySet()), null);
    Future<List<KeySignature>> sigs = signaturesOf(new ArrayList<>(local.keySet()));
    return Future.all(mine, identities, sigs)
        .map(
            v -> {
              Signed signed = merge(mine.result(), identities.result(), sigs.result(), null);
              return new Result(
                  signed.devices(),
                  Map.of(),
                  Map.of(),
                  signed.identities(),
                  new ArrayList<>(local.keySet()));
            });
  }

  record Signed(List<QueriedDevice> devices, Map<String, Map<String, String>> identities) {}

  private Future<List<KeySignature>> signaturesOf(List<String> users) {
    return users.isEmpty() ? Future.succeededFuture(List.of()) : keySignatures.forUsers(db, users);
  }

  /**
   * Spec: a device's keys carry its user's self-signing signature; a master key carries its own
   * user's device signatures, and the viewer's own user-signing signature on it; nobody sees the
   * signatures other users' user-signing keys made.
   */
  static Signed merge(
      List<QueriedDevice> devices,
      Map<String, Map<String, String>> identities,
      List<KeySignature> sigs,
      String viewer) {
    if (sigs.isEmpty()) return new Signed(devices, identities);
    List<QueriedDevice> outDevices = new ArrayList<>(devices.size());
    for (QueriedDevice d : devices) {
      List<KeySignature> on =
          sigs.stream()
              .filter(
                  s ->
                      s.userId().equals(d.userId())
                          && s.targetKeyId().equals(d.deviceId())
                          && s.signerUserId().equals(d.userId()))
              .toList();
      outDevices.add(
          on.isEmpty()
              ? d
              : new QueriedDevice(
                  d.userId(), d.deviceId(), SignatureMerge.into(d.keyJson(), on), d.displayName()));
    }
    Map<String, Map<String, String>> outIds = new TreeMap<>();
    identities.forEach(
        (user, byUsage) -> {
          Map<String, String> copy = new TreeMap<>(byUsage);
          String master = byUsage.get(CrossSigningKey.MASTER);
          if (master != null) {
            List<KeySignature> visible =
                sigs.stream()
                    .filter(
                        s ->
                            s.userId().equals(user)
                                && (s.signerUserId().equals(user)
                                    || s.signerUserId().equals(viewer)))
                    .toList();
            copy.put(CrossSigningKey.MASTER, SignatureMerge.intoCrossSigningKey(master, visible));
          }
          outIds.put(user, copy);
        });
    return new Signed(outDevices, outIds);
  }

  private Future<Map<String, Map<String, String>>> crossSigning(
      List<String> users, String callerUserId) {
    if (users.isEmpty()) return Future.succeededFuture(Map.of());
    return crossSigningKeys
        .forUsers(db, users)
        .map(
            stored -> {
              Map<String, Map<String, String>> out = new TreeMap<>();
              for (StoredCrossSigningKey k : stored) {
                if (k.usage().equals(CrossSigningKey.USER_SIGNING)
                    && !k.userId().equals(callerUserId)) continue;
                out.computeIfAbsent(k.userId(), u -> new TreeMap<>()).put(k.usage(), k.json());
              }
              return out;
            });
  }

  /** Only this server's users (for local clients and for federation peers asking us). */
  public Future<List<QueriedDevice>> queryLocal(Map<String, List<String>> byUser) {
    if (byUser.size() > maxUsers) return Future.failedFuture(tooMany(byUser.size()));
    List<String> all = new ArrayList<>();
    List<String> whole = new ArrayList<>();
    List<String> pairUsers = new ArrayList<>();
    List<String> pairDevices = new ArrayList<>();
    byUser.forEach(
        (user, devices) -> {
          if (!MatrixIds.serverOf(user).equals(serverName)) return;
          all.add(user);
          if (devices.isEmpty()) whole.add(user);
          devices.forEach(
              d -> {
                pairUsers.add(user);
                pairDevices.add(d);
              });
        });
    if (all.isEmpty()) return Future.succeededFuture(List.of());
    return store.query(db, all, whole, pairUsers, pairDevices);
  }

  private KeydirException tooMany(int n) {
    return KeydirException.of(
        KeydirException.Kind.KEY_LIMIT,
        "a query may name at most "
            + maxUsers
            + " users (limits.max_users_per_query; got "
            + n
            + ")");
  }
}
