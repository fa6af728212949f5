package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.keydir.keys.DeviceListToken;
import org.keydir.store.DeviceListStore;

/**
 * {@code GET /keys/changes}: the local users whose device list changed in {@code (from, to]}.
 * keydir holds no room membership, so it lists every such user and {@code left} is always empty:
 * the host homeserver filters by shared rooms (spec: "users who share a room").
 */
public final class DeviceListChanges {
  private final Pool pool;
  private final DeviceListStore store;

  public DeviceListChanges(Pool pool, DeviceListStore store) {
    this.pool = pool;
    this.store = store;
  }

  public Future<List<String>> changed(String from, String to) {
    long f = DeviceListToken.parse(from, "from");
    long t = DeviceListToken.parse(to, "to");
    return t <= f ? Future.succeededFuture(List.of()) : store.changed(pool, f, t);
  }

  public Future<String> position() {
    return store.current(pool).map(DeviceListToken::of);
  }
}
