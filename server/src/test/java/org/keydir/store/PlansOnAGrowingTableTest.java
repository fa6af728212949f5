package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.lifecycle.StatisticsPolicy;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;
import org.keydir.usecases.StatisticsKeeper;

/**
 * Issue 17: on a fresh database nothing has analyzed {@code one_time_keys} yet, so the plans a
 * connection caches while the table is small are costed for a small table, and they stay cached
 * (only an ANALYZE invalidates them) while uploads grow it. A plan that reads a device's whole key
 * range and filters it made every upload and claim cost grow with the device's stock (bench: 14.8
 * ms per upload lookup at a few thousand keys, 11.8 ms per claim at 10,000). Each hot statement
 * here is prepared with its generic plan cached on a small, never-analyzed table, the table then
 * grows to 10,000 keys on one device, and the cached plan must still touch only about the rows the
 * statement names.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PlansOnAGrowingTableTest {
  private static final String USER = "@u:test.keydir";
  private static final int GROWN = 10_000;
  private static final String IDS =
      IntStream.rangeClosed(1, 100)
          .mapToObj(i -> "n" + i)
          .collect(Collectors.joining(",", "'{", "}'"));
  private static final String ALGORITHMS_100 = "array_fill('signed_curve25519'::text, ARRAY[100])";

  private Connection conn;
  private String url;

  @BeforeAll
  static void plainPostgresOnly() {
    Assumptions.assumeFalse(TestDatabase.onCitus(), "plain PostgreSQL's plan cache only");
  }

  @BeforeEach
  void smallNeverAnalyzedTable() throws Exception {
    url = TestDatabase.fresh();
    TestKeydir.start(url).close(); // applies the migrations
    DatabaseUrl u = DatabaseUrl.parse(url);
    conn = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
    run("ALTER TABLE one_time_keys SET (autovacuum_enabled = false)"); // nothing analyzes it
    // meanwhile
    run(
        "INSERT INTO devices SELECT '@u:test.keydir', 'D' || d, NULL, 0 FROM generate_series(0, 99) d");
    run(
        "INSERT INTO fallback_keys SELECT user_id, device_id, 'signed_curve25519', 'fb', '{}', false, 0 FROM devices");
    insertKeys(1, 3);
    run("SET plan_cache_mode = force_generic_plan"); // the plan a pool connection ends up caching
  }

  @AfterEach
  void close() throws Exception {
    if (conn != null) conn.close();
  }

  @Test
  void the_upload_lookup_of_existing_key_ids_probes_them_by_primary_key() throws Exception {
    prepare("find(text, text, text[], text[])", OneTimeKeyStore.FIND);
    String call = "EXECUTE find('" + USER + "', 'D0', " + ALGORITHMS_100 + ", " + IDS + ")";
    assertRowsTouchedAtMost(call, 300);
  }

  @Test
  void the_upload_lookup_probes_by_primary_key_in_a_custom_plan_on_stale_statistics()
      throws Exception {
    // Analyzed while small, then grown: the statistics say a device holds ~3 keys. The custom plan
    // of the former `= ANY` form scanned the device's 10,000 keys with the 100 ids as a filter.
    run("ANALYZE one_time_keys");
    run("SET plan_cache_mode = force_custom_plan");
    prepare("find(text, text, text[], text[])", OneTimeKeyStore.FIND);
    String call = "EXECUTE find('" + USER + "', 'D0', " + ALGORITHMS_100 + ", " + IDS + ")";
    assertRowsTouchedAtMost(call, 300);
  }

  /**
   * A plan cached after an ANALYZE of a tiny table scans it whole (a few pages read beat an index
   * descent), for every key named, until the next ANALYZE. keydir's tables are first analyzed at
   * 1,000 rows (sql/V14, and the statistics keeper's threshold), where every hot statement's cached
   * plan goes through the indexes, whatever the table grows to.
   */
  @Test
  void plans_cached_after_the_first_analyze_at_a_thousand_rows_probe_by_index_as_the_table_grows()
      throws Exception {
    run(
        "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos)"
            + " SELECT '@filler:test.keydir', 'F', 'signed_curve25519', 'f' || i, '{}', 0, 0, i"
            + " FROM generate_series(1, 900) i");
    run("ANALYZE one_time_keys");
    prepare("find(text, text, text[], text[])", OneTimeKeyStore.FIND);
    prepare("claim_one(text, text, text, bigint)", ClaimStore.CLAIM_ONE);
    assertRowsTouchedAtMost(
        Map.of(
            "EXECUTE find('" + USER + "', 'D0', " + ALGORITHMS_100 + ", " + IDS + ")", 300L,
            "EXECUTE claim_one('" + USER + "', 'D0', 'signed_curve25519', 1)", 50L));
  }

  @Test
  void keydirs_hot_tables_are_not_analyzed_by_autovacuum_before_a_thousand_rows() throws Exception {
    try (Statement s = conn.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN"
                    + " ('one_time_keys', 'fallback_keys', 'device_keys', 'devices') ORDER BY relname")) {
      int tables = 0;
      while (rs.next()) {
        tables++;
        assertThat(rs.getString(2))
            .as(rs.getString(1))
            .contains("autovacuum_analyze_threshold=" + StatisticsPolicy.MIN_CHANGED_ROWS);
      }
      assertThat(tables).isEqualTo(4);
    }
  }

  @Test
  void the_upload_lookup_answers_stored_and_claimed_ids_and_nothing_else() throws Exception {
    run(
        "UPDATE one_time_keys SET claimed_ts = 1, key_json = NULL WHERE device_id = 'D0' AND key_id = 'k2'");
    prepare("find(text, text, text[], text[])", OneTimeKeyStore.FIND);
    List<String> found = new java.util.ArrayList<>();
    try (Statement s = conn.createStatement();
        ResultSet rs =
            s.executeQuery(
                "EXECUTE find('"
                    + USER
                    + "', 'D0', '{signed_curve25519,signed_curve25519,signed_curve25519,curve25519}',"
                    + " '{k1,k2,n1,k3}')")) {
      while (rs.next()) found.add(rs.getString(1) + ":" + rs.getString(2) + "=" + rs.getString(3));
    }
    assertThat(found)
        .containsExactlyInAnyOrder("signed_curve25519:k1={}", "signed_curve25519:k2=null");
  }

  @Test
  void deleting_chosen_keys_probes_them_by_primary_key() throws Exception {
    prepare("del(text, text, text[], text[])", OneTimeKeyStore.DELETE_AVAILABLE);
    String call = "EXECUTE del('" + USER + "', 'D0', " + ALGORITHMS_100 + ", " + IDS + ")";
    assertRowsTouchedAtMost(call, 300);
  }

  @Test
  void a_single_device_claim_updates_the_picked_key_by_primary_key() throws Exception {
    prepare("claim_one(text, text, text, bigint)", ClaimStore.CLAIM_ONE);
    assertRowsTouchedAtMost("EXECUTE claim_one('" + USER + "', 'D0', 'signed_curve25519', 1)", 50);
  }

  @Test
  void a_bulk_claim_of_100_devices_touches_about_one_row_per_device_once_the_statistics_keeper_ran()
      throws Exception {
    // No statement shape keeps this one bounded on a table PostgreSQL has never analyzed: even its
    // custom plan scans the whole table for the UPDATE. The StatisticsKeeper's ANALYZE re-plans it.
    run("RESET plan_cache_mode");
    prepare("claim_bulk(text[], text[], text[], bigint)", ClaimStore.CLAIM);
    String devices =
        IntStream.range(0, 100).mapToObj(d -> "D" + d).collect(Collectors.joining(",", "'{", "}'"));
    String call =
        "EXECUTE claim_bulk(array_fill('"
            + USER
            + "'::text, ARRAY[100]), "
            + devices
            + ", "
            + ALGORITHMS_100
            + ", 1)";
    for (int i = 0; i < 6; i++)
      explain(call); // as keydir runs it: PostgreSQL may switch to a generic plan
    insertKeys(4, GROWN);
    assertThat(rowsTouched(explain(call))).as("before the keeper's tick").isGreaterThan(10_000);
    run("SELECT pg_stat_force_next_flush()"); // this session's row counts reach pg_stat_user_tables
    // now
    run("SELECT 1");
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool =
          PgBuilder.pool().connectingTo(DatabaseUrl.parse(url).options()).using(vertx).build();
      List<String> analyzed =
          new StatisticsKeeper(pool, new StatisticsStore()).runOnce().await(30, TimeUnit.SECONDS);
      assertThat(analyzed).contains("one_time_keys");
      pool.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    JsonNode plan = explain(call);
    assertThat(rowsTouched(plan)).as(plan.toPrettyString()).isLessThanOrEqualTo(3_000);
  }

  /**
   * Caches the generic plan now (small table), grows D0 to 10,000 keys, runs it and counts rows.
   */
  private void assertRowsTouchedAtMost(String execute, long bound) throws Exception {
    assertRowsTouchedAtMost(Map.of(execute, bound));
  }

  /** As above for several statements, each planned before the one growth. */
  private void assertRowsTouchedAtMost(Map<String, Long> boundOfEach) throws Exception {
    for (String execute : boundOfEach.keySet()) explain(execute);
    insertKeys(4, GROWN);
    for (var e : boundOfEach.entrySet()) {
      JsonNode plan = explain(e.getKey());
      assertThat(rowsTouched(plan)).as(plan.toPrettyString()).isLessThanOrEqualTo(e.getValue());
    }
  }

  /** Rows every node produced or filtered away, over all its loops. */
  private static long rowsTouched(JsonNode plan) {
    long total = 0;
    for (JsonNode node : plan.findParents("Node Type")) {
      long loops = Math.max(1, node.path("Actual Loops").asLong());
      long rows =
          node.path("Actual Rows").asLong()
              + node.path("Rows Removed by Filter").asLong()
              + node.path("Rows Removed by Join Filter").asLong()
              + node.path("Rows Removed by Index Recheck").asLong();
      total += rows * loops;
    }
    return total;
  }

  private JsonNode explain(String execute) throws Exception {
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + execute)) {
      rs.next();
      return new ObjectMapper().readTree(rs.getString(1));
    } finally {
      conn.rollback();
      conn.setAutoCommit(true);
    }
  }

  private void prepare(String signature, String sql) throws Exception {
    run("PREPARE " + signature + " AS " + sql);
  }

  /** Keys k{from}..k{to} on device D0, and k1..k{to/100} on the other 99 devices. */
  private void insertKeys(int from, int to) throws Exception {
    run(
        "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos)"
            + " SELECT '"
            + USER
            + "', 'D0', 'signed_curve25519', 'k' || i, '{}', 0, i / 100, i % 100"
            + " FROM generate_series("
            + from
            + ", "
            + to
            + ") i");
    run(
        "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos)"
            + " SELECT '"
            + USER
            + "', 'D' || d, 'signed_curve25519', 'k' || i, '{}', 0, i / 100, i % 100"
            + " FROM generate_series(1, 99) d, generate_series("
            + from
            + ", "
            + Math.max(from, to / 100)
            + ") i"
            + " ON CONFLICT DO NOTHING");
  }

  private void run(String sql) throws Exception {
    try (Statement s = conn.createStatement()) {
      s.execute(sql);
    }
  }
}
