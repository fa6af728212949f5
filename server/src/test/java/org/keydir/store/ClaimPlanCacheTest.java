package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.DeviceAlgorithm;
import org.keydir.keys.KeyId;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Bench issue 8: a claim statement that PostgreSQL re-plans at every execution cost more than the
 * claim. This reads {@code pg_prepared_statements} on a connection configured as keydir's pool
 * configures its connections (prepared statements cached) after a run of claims.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClaimPlanCacheTest {
  private static final int DEVICES = 4;
  private Vertx vertx;
  private PgConnection conn;
  private final ClaimStore store = new ClaimStore();

  @org.junit.jupiter.api.BeforeAll
  static void plainPostgresOnly() {
    // On Citus the coordinator plans the distributed statement at every execution and the worker
    // gets it as a one-off query: pg_prepared_statements shows no generic plan there (measured in
    // deploy/citus/README.md). This test is about PostgreSQL's own plan cache.
    org.junit.jupiter.api.Assumptions.assumeFalse(
        TestDatabase.onCitus(), "plain PostgreSQL's plan cache only");
  }

  @BeforeEach
  void connect() throws Exception {
    String url = TestDatabase.fresh();
    TestKeydir.start(url).close(); // applies the migrations
    // Single-device claims use devices D0..D3; the bulk plan check needs a table the size of the
    // bench's (256 devices of 64 users), where the planner's choice matters.
    TestDatabase.execute(
        url,
        "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json,"
            + " uploaded_ts, upload_seq, upload_pos) SELECT '@u:test.keydir', 'D' || d, 'signed_curve25519',"
            + " 'k' || i, '{}', 0, 1, i FROM generate_series(0, "
            + (DEVICES - 1)
            + ") d, generate_series(1, 200) i;"
            + " INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq,"
            + " upload_pos) SELECT '@u' || (d % 64) || ':test.keydir', 'B' || d, 'signed_curve25519', 'k' || i, '{}',"
            + " 0, 1, i FROM generate_series(0, 255) d, generate_series(1, 400) i; ANALYZE");
    vertx = Vertx.vertx();
    PgConnectOptions options =
        new PgConnectOptions(DatabaseUrl.parse(url).options()).setCachePreparedStatements(true);
    conn = PgConnection.connect(vertx, options).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (conn != null) conn.close().await(10, TimeUnit.SECONDS);
    if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_single_device_claim_runs_on_a_cached_generic_plan_after_a_few_executions()
      throws Exception {
    for (int i = 0; i < 12; i++) {
      List<ClaimedKey> got =
          claim(
              List.of(
                  new DeviceAlgorithm("@u:test.keydir", "D" + (i % DEVICES), "signed_curve25519")));
      assertThat(got).hasSize(1);
      assertThat(got.get(0).fallback()).isFalse();
    }
    Row plans = claimPlans();
    assertThat(plans.getLong("generic_plans")).as("generic plans").isGreaterThan(0);
    assertThat(plans.getLong("custom_plans")).as("custom plans").isLessThanOrEqualTo(5);
  }

  /**
   * Issue 17 (docs/performance.md item 18): the upload's lookup of its 100 key ids runs at every
   * upload; a custom plan of it took 0.36 ms to plan on PostgreSQL 15, a third of the lookup.
   */
  @Test
  void the_upload_lookup_of_key_ids_runs_on_a_cached_generic_plan_after_a_few_executions()
      throws Exception {
    OneTimeKeyStore otks = new OneTimeKeyStore();
    for (int upload = 0; upload < 12; upload++) {
      int first = upload * 100;
      List<KeyId> ids =
          IntStream.range(first, first + 100)
              .mapToObj(i -> new KeyId("signed_curve25519", "n" + i))
              .toList();
      assertThat(otks.find(conn, "@u:test.keydir", "D0", ids).await(30, TimeUnit.SECONDS))
          .isEmpty();
    }
    Row plans = plans("statement LIKE 'SELECT u.algorithm%'");
    assertThat(plans.getLong("generic_plans")).as("generic plans").isGreaterThan(0);
    assertThat(plans.getLong("custom_plans")).as("custom plans").isLessThanOrEqualTo(5);
  }

  @Test
  void a_bulk_claim_of_many_devices_finds_its_rows_by_index_not_by_scanning_the_table()
      throws Exception {
    // The array statement is planned per execution (custom plans), so the plan for concrete
    // arrays is the one that runs: it must reach every row through an index.
    StringBuilder users = new StringBuilder();
    StringBuilder devices = new StringBuilder();
    StringBuilder algorithms = new StringBuilder();
    for (int d = 0; d < 100; d++) {
      String sep = d == 0 ? "" : ",";
      users.append(sep).append("'@u").append(d % 64).append(":test.keydir'");
      devices.append(sep).append("'B").append(d).append('\'');
      algorithms.append(sep).append("'signed_curve25519'");
    }
    String plan =
        conn.query("SET plan_cache_mode = force_custom_plan")
            .execute()
            .compose(
                x ->
                    conn.query(
                            "PREPARE bulk_claim(text[], text[], text[], bigint) AS "
                                + ClaimStore.CLAIM)
                        .execute())
            .compose(
                x ->
                    conn.query(
                            "EXPLAIN (FORMAT JSON) EXECUTE bulk_claim(ARRAY["
                                + users
                                + "], ARRAY["
                                + devices
                                + "], ARRAY["
                                + algorithms
                                + "], 1)")
                        .execute())
            .await(30, TimeUnit.SECONDS)
            .iterator()
            .next()
            .getValue(0)
            .toString();
    List<String> scanned = new ArrayList<>();
    new ObjectMapper()
        .readTree(plan)
        .findParents("Node Type")
        .forEach(
            node -> {
              if (node.path("Node Type").asText().equals("Seq Scan"))
                scanned.add(node.path("Relation Name").asText());
            });
    assertThat(scanned).as(plan).doesNotContain("one_time_keys");
  }

  @Test
  void a_bulk_claim_takes_each_devices_oldest_key_from_the_upload_order_index() throws Exception {
    // Issue 17: with user_id = ANY($1) in the picked subquery, PostgreSQL 15 read every available
    // key
    // of each device through the primary key and sorted them to find the oldest (33 rows a device,
    // at
    // 16 clients); PostgreSQL 18 (the embedded server the suite uses by default) planned both forms
    // well, so the statement itself must carry no user filter on plain PostgreSQL.
    assertThat(ClaimStore.CLAIM).doesNotContain("= ANY($1)");
    // The bench's shape: 256 devices of 64 users, a few dozen keys each.
    String plan =
        conn.query(
                "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts,"
                    + " upload_seq, upload_pos) SELECT '@c' || (d % 64) || ':test.keydir', 'C' || d, 'signed_curve25519',"
                    + " 'k' || i, '{}', 0, 1, i FROM generate_series(0, 255) d, generate_series(1, 32) i")
            .execute()
            .compose(x -> conn.query("ANALYZE one_time_keys").execute())
            .compose(
                x ->
                    conn.query(
                            "PREPARE bulk_claim2(text[], text[], text[], bigint) AS "
                                + ClaimStore.CLAIM)
                        .execute())
            .compose(
                x ->
                    conn.query(
                            "EXPLAIN (FORMAT JSON) EXECUTE bulk_claim2(" + bulkArguments() + ", 1)")
                        .execute())
            .await(30, TimeUnit.SECONDS)
            .iterator()
            .next()
            .getValue(0)
            .toString();
    List<String> indexes = new ArrayList<>();
    List<String> sorts = new ArrayList<>();
    new ObjectMapper()
        .readTree(plan)
        .findParents("Node Type")
        .forEach(
            node -> {
              if (node.path("Relation Name").asText().equals("one_time_keys"))
                indexes.add(node.path("Index Name").asText());
              if (node.path("Node Type").asText().equals("Sort"))
                sorts.add(node.path("Sort Key").toString());
            });
    assertThat(indexes).as(plan).contains("one_time_keys_available");
    assertThat(sorts).as(plan).noneMatch(key -> key.contains("upload_seq"));
  }

  private static String bulkArguments() {
    StringBuilder users = new StringBuilder();
    StringBuilder devices = new StringBuilder();
    for (int d = 0; d < 100; d++) {
      String sep = d == 0 ? "" : ",";
      users.append(sep).append("'@c").append(d % 64).append(":test.keydir'");
      devices.append(sep).append("'C").append(d).append('\'');
    }
    return "ARRAY["
        + users
        + "], ARRAY["
        + devices
        + "], array_fill('signed_curve25519'::text, ARRAY[100])";
  }

  private List<ClaimedKey> claim(List<DeviceAlgorithm> wanted) throws Exception {
    return store
        .statements(conn, wanted)
        .compose(statements -> store.claim(conn, statements, System.currentTimeMillis()))
        .await(30, TimeUnit.SECONDS);
  }

  private Row claimPlans() throws Exception {
    return plans("statement LIKE '%fell_back%'");
  }

  private Row plans(String which) throws Exception {
    var rows =
        conn.query(
                "SELECT sum(generic_plans) AS generic_plans, sum(custom_plans) AS custom_plans"
                    + " FROM pg_prepared_statements WHERE "
                    + which)
            .execute()
            .await(30, TimeUnit.SECONDS);
    return rows.iterator().next();
  }
}
