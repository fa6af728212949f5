package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.ClaimRequest;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.DeviceAlgorithm;
import org.keydir.keys.KeydirException;
import org.keydir.keys.RemoteFailure;
import org.keydir.keys.RemoteLimits;
import org.keydir.keys.RemoteServers;
import org.keydir.store.ClaimStore;

/**
 * {@code POST /keys/claim}: local devices in one statement ({@link ClaimStore}); remote users are
 * claimed from their servers through federation, in parallel; unreachable servers go to {@code
 * failures}.
 */
public final class KeyClaims {
  private final Pool pool;
  private final SqlClient statements;
  private final ClaimStore store;
  private final String serverName;
  private final Clock clock;
  private final RemoteServers remote;
  private final RemoteLimits remoteLimits;
  private final int maxDevices;
  private final Consumer<List<ClaimedKey>> onClaimed;

  /**
   * {@code statements} runs a claim of one statement (pipelined), {@code pool} the transaction of a
   * longer one; {@code onClaimed} sees every local claim's keys once committed (metrics).
   */
  public KeyClaims(
      Pool pool,
      SqlClient statements,
      ClaimStore store,
      String serverName,
      Clock clock,
      RemoteServers remote,
      RemoteLimits remoteLimits,
      int maxDevices,
      Consumer<List<ClaimedKey>> onClaimed) {
    this.pool = pool;
    this.statements = statements;
    this.store = store;
    this.serverName = serverName;
    this.clock = clock;
    this.remote = remote;
    this.remoteLimits = remoteLimits;
    this.maxDevices = maxDevices;
    this.onClaimed = onClaimed;
  }

  public record Result(
      List<ClaimedKey> keys,
      Map<String, JsonNode> remoteUsers,
      Map<String, RemoteFailure> failures) {}

  public Future<Result> claim(ClaimRequest req) {
    if (req.wanted().size() > maxDevices) return Future.failedFuture(tooMany(req.wanted().size()));
    List<DeviceAlgorithm> local = new ArrayList<>();
    Map<String, ObjectNode> remoteBodies = new TreeMap<>();
    for (DeviceAlgorithm w : req.wanted()) {
      String server = MatrixIds.serverOf(w.userId());
      if (server.equals(serverName)) {
        local.add(w);
      } else {
        ObjectNode body =
            remoteBodies.computeIfAbsent(server, s -> JsonNodeFactory.instance.objectNode());
        ObjectNode users =
            body.has("one_time_keys")
                ? (ObjectNode) body.get("one_time_keys")
                : body.putObject("one_time_keys");
        ObjectNode devices =
            users.has(w.userId())
                ? (ObjectNode) users.get(w.userId())
                : users.putObject(w.userId());
        devices.put(w.deviceId(), w.algorithm());
      }
    }
    Future<List<ClaimedKey>> mine = claimLocal(local);
    Future<FanOut.Answers> theirs =
        FanOut.ask(
            new ArrayList<>(remoteBodies.keySet()),
            (server, remainingMs) ->
                remote.claimKeys(server, remoteBodies.get(server), remainingMs),
            "one_time_keys",
            remoteLimits.timeout(req.timeoutMs()),
            remoteLimits.maxServers());
    return Future.all(mine, theirs)
        .map(v -> new Result(mine.result(), theirs.result().byUser(), theirs.result().failures()));
  }

  /** This server's devices only, one statement (for local clients and for federation peers). */
  public Future<List<ClaimedKey>> claimLocal(List<DeviceAlgorithm> wanted) {
    List<DeviceAlgorithm> mine =
        wanted.stream().filter(w -> MatrixIds.serverOf(w.userId()).equals(serverName)).toList();
    if (mine.size() > maxDevices) return Future.failedFuture(tooMany(mine.size()));
    long now = clock.millis();
    Future<List<ClaimedKey>> claimed =
        store
            .statements(statements, mine)
            .compose(
                parts ->
                    parts.size() <= 1
                        ? store.claim(statements, parts, now)
                        : pool.withTransaction(
                            tx ->
                                store.claim(
                                    tx, parts, now))); // several statements: one transaction
    return claimed.onSuccess(onClaimed::accept);
  }

  private KeydirException tooMany(int n) {
    return KeydirException.of(
        KeydirException.Kind.KEY_LIMIT,
        "a claim may name at most "
            + maxDevices
            + " devices (limits.max_devices_per_claim; got "
            + n
            + ")");
  }
}
