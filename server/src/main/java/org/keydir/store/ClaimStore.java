package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.DeviceAlgorithm;
import org.keydir.keys.KeyId;

/**
 * The claim: for every wanted (user, device, algorithm), in ONE statement, take the oldest
 * available one-time key (spec v1.13 / MSC4225: upload order) or, when none is left, the device's
 * fallback key (marked used, kept).
 *
 * <p>Why no key is handed out twice: a key is taken by an UPDATE of its row that sets claimed_ts,
 * under a row lock taken with FOR UPDATE; a concurrent claimer SKIPs rows locked by others and
 * re-checks {@code claimed_ts IS NULL} on rows whose claim committed after its snapshot (PostgreSQL
 * re-evaluates the WHERE on the newest row version before locking it), so it moves on to the next
 * key rather than returning the same one or nothing. Fallback rows (which claims wait for, not
 * skip) are locked in one fixed order, so two bulk claims naming devices in opposite orders cannot
 * deadlock (found by the chaos harness).
 *
 * <p>A claim of one device's key (the common case) uses {@link #CLAIM_ONE}, the same logic over
 * scalar parameters: PostgreSQL re-plans a prepared statement at every execution while its generic
 * plan is estimated costlier than a custom one, and the array statement's generic plan always is
 * (it cannot know the arrays' length), so re-planning cost more than the claim itself (bench issue
 * 8). The scalar statement's generic plan costs what a custom plan does, so PostgreSQL caches it
 * after five executions; {@code ClaimPlanCacheTest} checks that in {@code pg_prepared_statements}.
 */
public final class ClaimStore {
  /**
   * The bulk claim with every table filtered on {@code user_id = ANY($1)}, as Citus needs to route
   * it to one shard ({@link #CLAIM_CITUS}). On plain PostgreSQL these filters only cost ({@link
   * #CLAIM}).
   */
  private static final String CLAIM_WITH_USER_FILTERS =
      """
      WITH wanted AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS w(user_id, device_id, algorithm, ord)
      ), picked AS (
        SELECT w.ord, k.user_id, k.device_id, k.algorithm, k.key_id, k.key_json
        FROM wanted w CROSS JOIN LATERAL (
          SELECT o.user_id, o.device_id, o.algorithm, o.key_id, o.key_json FROM one_time_keys o
          WHERE o.user_id = ANY($1) AND o.user_id = w.user_id AND o.device_id = w.device_id
            AND o.algorithm = w.algorithm AND o.claimed_ts IS NULL
          ORDER BY o.upload_seq, o.upload_pos
          LIMIT 1 FOR UPDATE SKIP LOCKED) k
      ), claimed AS (
        UPDATE one_time_keys o SET claimed_ts = $4, key_json = NULL
        FROM picked p
        WHERE o.user_id = p.user_id AND o.device_id = p.device_id
          AND o.algorithm = p.algorithm AND o.key_id = p.key_id
        RETURNING o.user_id, o.device_id, o.algorithm, o.key_id, p.key_json, false AS fallback
      ), fallback_locked AS (
        SELECT f.user_id, f.device_id, f.algorithm FROM fallback_keys f JOIN wanted w
          ON f.user_id = w.user_id AND f.device_id = w.device_id AND f.algorithm = w.algorithm
        WHERE f.user_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM picked p WHERE p.ord = w.ord)
        ORDER BY f.user_id, f.device_id, f.algorithm
        FOR UPDATE OF f
      ), fell_back AS (
        UPDATE fallback_keys f SET used = true
        FROM fallback_locked l
        WHERE f.user_id = ANY($1) AND f.user_id = l.user_id AND f.device_id = l.device_id
          AND f.algorithm = l.algorithm
        RETURNING f.user_id, f.device_id, f.algorithm, f.key_id, f.key_json, true AS fallback
      )
      SELECT * FROM claimed UNION ALL SELECT * FROM fell_back""";

  /** The single-device claim's text, for tools that run it bare ({@code keydir statement}). */
  public static String singleDeviceClaim() {
    return CLAIM_ONE;
  }

  static final String CLAIM_ONE =
      """
      WITH picked AS (
        SELECT o.key_id, o.key_json FROM one_time_keys o
        WHERE o.user_id = $1 AND o.device_id = $2 AND o.algorithm = $3 AND o.claimed_ts IS NULL
        ORDER BY o.upload_seq, o.upload_pos
        LIMIT 1 FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE one_time_keys o SET claimed_ts = $4, key_json = NULL
        FROM picked p
        WHERE o.user_id = $1 AND o.device_id = $2 AND o.algorithm = $3
          AND o.key_id = (SELECT key_id FROM picked) AND o.key_id = p.key_id
        RETURNING o.user_id, o.device_id, o.algorithm, o.key_id, p.key_json, false AS fallback
      ), fell_back AS (
        UPDATE fallback_keys f SET used = true
        WHERE f.user_id = $1 AND f.device_id = $2 AND f.algorithm = $3
          AND NOT EXISTS (SELECT 1 FROM picked)
        RETURNING f.user_id, f.device_id, f.algorithm, f.key_id, f.key_json, true AS fallback
      )
      SELECT * FROM claimed UNION ALL SELECT * FROM fell_back""";

  /**
   * The bulk claim on plain PostgreSQL: no user filters. In the picked subquery, {@code user_id =
   * ANY($1)} became an index condition that gives up the index's upload order, so every wanted
   * device's available keys were read and sorted to take the oldest (EXPLAIN ANALYZE at 16 clients:
   * 33 rows per device instead of 1; issue 17). The bulk UPDATE finds the picked rows by primary
   * key only: with the filter there as well, PostgreSQL costs it as one index descent per array
   * element for every picked row, and for a 100-device claim preferred a sequential scan of the
   * whole table (bench: 226 ms instead of 11 ms per execution).
   */
  static final String CLAIM =
      CLAIM_WITH_USER_FILTERS
          .replace("o.user_id = ANY($1) AND ", "")
          .replace("f.user_id = ANY($1) AND ", "");

  /**
   * The bulk claim on Citus: the user filter on the UPDATE too. Citus routes a statement to one
   * shard only when every table in it is filtered on user_id; without the filter the UPDATE is
   * planned across shards and fails on the worker ("22P04 missing data for column device_id").
   */
  static final String CLAIM_CITUS =
      CLAIM_WITH_USER_FILTERS.replace(
          """
        WHERE o.user_id = p.user_id AND o.device_id = p.device_id""",
          """
        WHERE o.user_id = ANY($1) AND o.user_id = p.user_id AND o.device_id = p.device_id""");

  /**
   * Devices per bulk statement. The statement's cost grows faster than its length (the user filter
   * is an array every row is checked against; 8,000 devices in one statement took 33 s of
   * PostgreSQL CPU), so longer claims run as several statements of this size: linear in the number
   * of devices.
   */
  public static final int CHUNK = 100;

  private final Shards shards;

  public ClaimStore() {
    this(Shards.single());
  }

  public ClaimStore(Shards shards) {
    this.shards = shards;
  }

  /**
   * The statements a claim takes, each a list of devices: up to {@link #CHUNK} devices of one shard
   * (on plain PostgreSQL, the whole database is one shard). More than one: the caller runs them in
   * one transaction, so the claim stays all-or-nothing. They follow one global order of (shard,
   * user, device, algorithm), so two long claims lock fallback rows in the same order and cannot
   * deadlock.
   */
  public Future<List<List<DeviceAlgorithm>>> statements(
      SqlClient db, List<DeviceAlgorithm> wanted) {
    if (wanted.isEmpty()) return Future.succeededFuture(List.of());
    return shards
        .split(db, wanted, DeviceAlgorithm::userId)
        .map(
            parts -> {
              if (parts.size() == 1 && parts.get(0).size() <= CHUNK) return parts;
              List<List<DeviceAlgorithm>> out = new ArrayList<>();
              for (List<DeviceAlgorithm> part : parts) {
                List<DeviceAlgorithm> sorted = new ArrayList<>(part);
                sorted.sort(
                    java.util.Comparator.comparing(DeviceAlgorithm::userId)
                        .thenComparing(DeviceAlgorithm::deviceId)
                        .thenComparing(DeviceAlgorithm::algorithm));
                for (int from = 0; from < sorted.size(); from += CHUNK) {
                  out.add(sorted.subList(from, Math.min(sorted.size(), from + CHUNK)));
                }
              }
              return out;
            });
  }

  /**
   * Runs {@code statements} one after another on {@code db} (a transaction when there are several).
   */
  public Future<List<ClaimedKey>> claim(
      SqlClient db, List<List<DeviceAlgorithm>> statements, long nowMs) {
    List<ClaimedKey> all = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (List<DeviceAlgorithm> statement : statements) {
      chain =
          chain
              .compose(v -> claimChunk(db, statement, nowMs))
              .map(
                  keys -> {
                    all.addAll(keys);
                    return null;
                  });
    }
    return chain.map(v -> all);
  }

  private Future<List<ClaimedKey>> claimChunk(
      SqlClient db, List<DeviceAlgorithm> wanted, long nowMs) {
    if (wanted.isEmpty()) return Future.succeededFuture(List.of());
    Tuple params;
    String statement;
    if (wanted.size() == 1) {
      DeviceAlgorithm one = wanted.get(0);
      statement = CLAIM_ONE;
      params = Tuple.of(one.userId(), one.deviceId(), one.algorithm(), nowMs);
    } else {
      statement = shards.isCitus() ? CLAIM_CITUS : CLAIM;
      params =
          Tuple.of(
              wanted.stream().map(DeviceAlgorithm::userId).toArray(String[]::new),
              wanted.stream().map(DeviceAlgorithm::deviceId).toArray(String[]::new),
              wanted.stream().map(DeviceAlgorithm::algorithm).toArray(String[]::new),
              nowMs);
    }
    return db.preparedQuery(statement)
        .execute(params)
        .map(
            rows -> {
              List<ClaimedKey> out = new ArrayList<>(rows.size());
              rows.forEach(
                  r ->
                      out.add(
                          new ClaimedKey(
                              r.getString("user_id"),
                              r.getString("device_id"),
                              new KeyId(r.getString("algorithm"), r.getString("key_id")),
                              r.getString("key_json"),
                              r.getBoolean("fallback"))));
              return out;
            });
  }
}
