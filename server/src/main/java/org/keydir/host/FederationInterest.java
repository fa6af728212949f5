package org.keydir.host;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Collection;
import org.keydir.auth.MatrixIds;
import org.keydir.store.FederationInterestStore;

/**
 * Host mode: a remote server that asks about a local user (federation user/keys/query,
 * user/devices, user/keys/claim) is told of that user's later key changes. Recorded before the
 * request reads any key, so a change the read misses finds the row and queues an EDU.
 */
public final class FederationInterest {
  public static final FederationInterest NONE = new FederationInterest(null, null, null, null);

  private final Pool pool;
  private final FederationInterestStore store;
  private final Clock clock;
  private final String serverName;

  public FederationInterest(
      Pool pool, FederationInterestStore store, Clock clock, String serverName) {
    this.pool = pool;
    this.store = store;
    this.clock = clock;
    this.serverName = serverName;
  }

  /**
   * Only this server's (well-formed) users are recorded; anything else in a request is not ours to
   * follow.
   */
  public Future<Void> record(String origin, Collection<String> users) {
    if (pool == null || origin == null) return Future.succeededFuture();
    java.util.List<String> local =
        users.stream()
            .filter(u -> MatrixIds.isUserId(u) && MatrixIds.serverOf(u).equals(serverName))
            .sorted()
            .toList();
    return store.record(pool, local, origin, clock.millis());
  }
}
