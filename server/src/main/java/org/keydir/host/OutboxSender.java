package org.keydir.host;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.keydir.federation.FederationClient;
import org.keydir.store.OutboxStore;
import org.keydir.usecases.KeyQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the federation outbox: per destination, the replica holding its lease sends queued
 * changes, oldest first, as EDUs in {@code PUT /_matrix/federation/v1/send/{txnId}} transactions
 * (signed with the server's key: the homeserver's in host mode). Accepted rows are deleted; a
 * failure backs the destination off (doubling from {@code federation.backoff_initial_ms} to {@code
 * federation.backoff_max_ms}) and releases the lease. Delivery is at least once: a replica killed
 * after the peer accepted but before the delete commits makes the next holder send again (the
 * transaction id is the same for the same rows, so the peer may recognise it).
 */
public final class OutboxSender {
  /** Settings of the sender. */
  public record Settings(
      long intervalMs,
      long leaseMs,
      long backoffInitialMs,
      long backoffMaxMs,
      long requestTimeoutMs,
      long retentionMs) {}

  static final int BATCH = 50;
  private static final int DESTINATIONS_PER_ROUND = 16;
  private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);

  private final Vertx vertx;
  private final Pool pool;
  private final OutboxStore store;
  private final KeyQueries queries;
  private final FederationClient client;
  private final String serverName;
  private final String owner;
  private final Clock clock;
  private final Settings settings;
  private final BiConsumer<String, Boolean> outcome;
  private final Set<String> sending = ConcurrentHashMap.newKeySet();
  private volatile boolean roundRunning;
  private io.vertx.core.Context context;

  public OutboxSender(
      Vertx vertx,
      Pool pool,
      OutboxStore store,
      KeyQueries queries,
      FederationClient client,
      String serverName,
      String owner,
      Clock clock,
      Settings settings,
      BiConsumer<String, Boolean> outcome) {
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
    this.queries = queries;
    this.client = client;
    this.serverName = serverName;
    this.owner = owner;
    this.clock = clock;
    this.settings = settings;
    this.outcome = outcome;
  }

  /** Every round runs on one event loop (the flag below needs no lock). */
  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> vertx.setPeriodic(settings.intervalMs(), id -> round()));
  }

  /** A change was queued somewhere: look now rather than at the next tick. */
  public void kick() {
    if (context != null) context.runOnContext(v -> round());
  }

  private void round() {
    if (roundRunning) return;
    roundRunning = true;
    long now = clock.millis();
    store
        .dropOlderThan(pool, now - settings.retentionMs(), 1000)
        .onSuccess(
            n -> {
              if (n > 0)
                LOG.warn(
                    "dropped {} federation EDUs undelivered for longer than federation.outbox_retention",
                    n);
            })
        .compose(v -> store.candidates(pool, now, owner, DESTINATIONS_PER_ROUND))
        .onSuccess(destinations -> destinations.forEach(this::deliver))
        .onFailure(e -> LOG.debug("outbox round failed: {}", e.toString()))
        .onComplete(ar -> roundRunning = false);
  }

  private void deliver(String destination) {
    if (!sending.add(destination)) return;
    next(destination)
        .onComplete(
            ar -> {
              sending.remove(destination);
              if (ar.failed()) LOG.debug("outbox to {}: {}", destination, ar.cause().toString());
            });
  }

  /**
   * Renew the lease, send one batch, repeat while there is mail; stop on failure or when another
   * replica holds it.
   */
  private Future<Void> next(String destination) {
    long now = clock.millis();
    return store
        .claim(pool, destination, owner, now, now + settings.leaseMs())
        .compose(
            held -> {
              if (held.isEmpty()) return Future.succeededFuture();
              int failures = held.get();
              return store
                  .batch(pool, destination, BATCH)
                  .compose(
                      rows ->
                          rows.isEmpty()
                              ? store.release(pool, destination, owner)
                              : send(destination, rows)
                                  .compose(
                                      v -> next(destination),
                                      e -> failed(destination, failures, e)));
            });
  }

  private Future<Void> send(String destination, List<OutboxStore.Row> rows) {
    TreeSet<String> users = new TreeSet<>();
    rows.forEach(r -> users.add(r.userId()));
    Map<String, KeyQueries.UserDevices> now = new ConcurrentHashMap<>();
    List<Future<?>> reads = new ArrayList<>();
    for (String u : users) reads.add(queries.userDevices(u).onSuccess(d -> now.put(u, d)));
    Future<Map<String, Long>> heads = store.heads(pool, destination, new ArrayList<>(users));
    reads.add(heads);
    return Future.all(reads)
        .compose(
            v -> {
              OutboxEdus.Built built = OutboxEdus.build(rows, new HashMap<>(now), heads.result());
              ObjectNode txn =
                  JsonNodeFactory.instance
                      .objectNode()
                      .put("origin", serverName)
                      .put("origin_server_ts", clock.millis());
              txn.putArray("pdus");
              built.edus().forEach(txn.withArray("edus")::add);
              String txnId = "kd" + rows.get(0).seq() + "." + rows.get(rows.size() - 1).seq();
              List<Long> seqs = rows.stream().map(OutboxStore.Row::seq).toList();
              return client
                  .put(
                      destination,
                      "/_matrix/federation/v1/send/" + txnId,
                      txn,
                      settings.requestTimeoutMs())
                  .compose(answer -> store.delivered(pool, destination, owner, seqs, built.heads()))
                  .onSuccess(d -> outcome.accept(destination, true));
            });
  }

  private Future<Void> failed(String destination, int failures, Throwable e) {
    outcome.accept(destination, false);
    long delay =
        Math.min(settings.backoffMaxMs(), settings.backoffInitialMs() << Math.min(failures, 20));
    return store.failed(
        pool,
        destination,
        owner,
        clock.millis() + delay,
        e.getMessage() == null ? e.toString() : e.getMessage());
  }
}
