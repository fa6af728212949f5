package org.keydir.host;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.keydir.keys.DeviceListChange;
import org.keydir.store.DeviceListStore;

/**
 * {@code GET /_keydir/internal/v1/device_list_changes}: the device-list stream after a position,
 * long-polled. A waiting request is woken by the {@code keydir_device_lists} notice that every
 * change sends on commit (from any replica: PostgreSQL LISTEN/NOTIFY), never by polling the table.
 * The waiter is registered before the stream is read, so a change committing in between still wakes
 * it; at the deadline the stream is read once more (covers a notice lost while the listener
 * reconnected).
 */
public final class DeviceListFeed {
  public static final int MAX_LIMIT = 1000;
  public static final long MAX_TIMEOUT_MS = 60_000;

  /** Bounds the waiting requests of one replica; beyond it a request answers at once. */
  static final int MAX_WAITERS = 10_000;

  /** The changes after {@code from} and the position to ask from next. */
  public record Page(List<DeviceListChange> changes, long next) {}

  private final Vertx vertx;
  private final Pool pool;
  private final DeviceListStore store;
  private final Set<Promise<Void>> waiters = ConcurrentHashMap.newKeySet();

  public DeviceListFeed(Vertx vertx, Pool pool, DeviceListStore store) {
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
  }

  /** Called for every notice on the channel: wakes every waiting request of this replica. */
  public void changed() {
    for (Promise<Void> p : waiters) p.tryComplete();
  }

  public Future<Page> read(long from, int limit, long timeoutMs) {
    if (timeoutMs <= 0 || waiters.size() >= MAX_WAITERS) return page(from, limit);
    Promise<Void> woken = Promise.promise();
    waiters.add(woken);
    long timer = vertx.setTimer(timeoutMs, id -> woken.tryComplete());
    return page(from, limit)
        .compose(
            first -> {
              if (!first.changes().isEmpty()) return Future.succeededFuture(first);
              return woken.future().compose(v -> page(from, limit));
            })
        .andThen(
            ar -> {
              waiters.remove(woken);
              vertx.cancelTimer(timer);
            });
  }

  private Future<Page> page(long from, int limit) {
    return store
        .since(pool, from, limit)
        .map(
            changes ->
                new Page(
                    changes,
                    changes.isEmpty() ? from : changes.get(changes.size() - 1).position()));
  }

  int waiting() {
    return waiters.size();
  }
}
