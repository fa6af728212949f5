package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How a statement naming several users is split so that each part names users of one shard. On
 * plain PostgreSQL everything is one part. On Citus a statement whose users live on several shards
 * is either refused (the claim's LATERAL … LIMIT: "cannot push down this subquery") or sent to
 * every shard (a filter Citus cannot prune), so keydir asks the coordinator which shard holds each
 * user ({@code get_shard_id_for_distribution_column}: a lookup in its metadata, no worker is asked)
 * and runs one statement per shard.
 */
public final class Shards {
  private static final String SHARD_OF =
      """
      SELECT u, get_shard_id_for_distribution_column('devices', u) AS shard FROM unnest($1::text[]) AS u""";

  private final boolean citus;

  private Shards(boolean citus) {
    this.citus = citus;
  }

  /** Plain PostgreSQL: one part. */
  public static Shards single() {
    return new Shards(false);
  }

  public static Shards of(boolean citus) {
    return new Shards(citus);
  }

  public boolean isCitus() {
    return citus;
  }

  /**
   * {@code items} in parts, one per shard, in the order of shard ids (so two callers that lock rows
   * part by part lock them in one global order); within a part, the items keep their order.
   */
  public <T> Future<List<List<T>>> split(SqlClient db, List<T> items, Function<T, String> userOf) {
    List<List<T>> whole = items.isEmpty() ? List.of() : List.of(items);
    if (!citus) return Future.succeededFuture(whole);
    LinkedHashSet<String> users = new LinkedHashSet<>();
    for (T item : items) users.add(userOf.apply(item));
    if (users.size() <= 1) return Future.succeededFuture(whole);
    return db.preparedQuery(SHARD_OF)
        .execute(Tuple.of(users.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, Long> shardOf = new java.util.HashMap<>();
              rows.forEach(r -> shardOf.put(r.getString("u"), r.getLong("shard")));
              TreeMap<Long, List<T>> parts = new TreeMap<>();
              for (T item : items)
                parts
                    .computeIfAbsent(shardOf.get(userOf.apply(item)), s -> new ArrayList<>())
                    .add(item);
              return List.copyOf(parts.values());
            });
  }
}
