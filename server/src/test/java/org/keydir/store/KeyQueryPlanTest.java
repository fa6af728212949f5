package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Issue 17: the key query's plan on plain PostgreSQL, as a pool connection caches it (generic), on
 * tables the size of the bench's (512 users of one device each, analyzed). The plan must join
 * {@code devices} by primary key, not re-scan it once per key row.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KeyQueryPlanTest {
  private Connection conn;

  @BeforeAll
  static void plainPostgresOnly() {
    Assumptions.assumeFalse(TestDatabase.onCitus(), "plain PostgreSQL's plan only");
  }

  @BeforeEach
  void benchSizedTables() throws Exception {
    String url = TestDatabase.fresh();
    TestKeydir.start(url).close(); // applies the migrations
    DatabaseUrl u = DatabaseUrl.parse(url);
    conn = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
    // As the bench leaves them: 512 users of one device each, devices rewritten a few times.
    run(
        "INSERT INTO devices SELECT '@kdbench.u' || d || ':localhost', upper(substr(md5(d::text), 1, 10)),"
            + " NULL, 0 FROM generate_series(0, 511) d");
    for (int i = 0; i < 3; i++) run("UPDATE devices SET created_ts = created_ts + 1");
    run(
        "INSERT INTO device_keys SELECT user_id, device_id, repeat('k', 440), 'e', 'c', 0 FROM devices");
    run("ANALYZE devices");
    run("ANALYZE device_keys");
    run("SET plan_cache_mode = force_generic_plan");
  }

  @AfterEach
  void close() throws Exception {
    if (conn != null) conn.close();
  }

  @Test
  void a_query_for_ten_users_does_not_rescan_devices_per_key_row() throws Exception {
    run("PREPARE q(text[], text[], text[]) AS " + DeviceKeyStore.QUERY);
    String users =
        IntStream.range(0, 10)
            .mapToObj(i -> "@kdbench.u" + (i * 7) + ":localhost")
            .collect(Collectors.joining(",", "'{", "}'"));
    JsonNode plan = explain("EXECUTE q(" + users + ", " + users + ", '{}')");
    assertThat(plan.at("/Actual Rows").asLong()).isEqualTo(10);
    assertThat(rescannedTables(plan)).as(plan.toPrettyString()).isEmpty();
    assertThat(plan.at("/Shared Hit Blocks").asLong() + plan.at("/Shared Read Blocks").asLong())
        .as(plan.toPrettyString())
        .isLessThanOrEqualTo(120);
  }

  /** Tables a plan scans whole more than once (a sequential scan under a nested loop). */
  private static java.util.List<String> rescannedTables(JsonNode node) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (node.path("Node Type").asText().equals("Seq Scan")
        && node.path("Actual Loops").asLong() > 1) out.add(node.path("Relation Name").asText());
    for (JsonNode child : node.path("Plans")) out.addAll(rescannedTables(child));
    return out;
  }

  private JsonNode explain(String sql) throws Exception {
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)) {
      rs.next();
      return new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
    }
  }

  private void run(String sql) throws Exception {
    try (Statement s = conn.createStatement()) {
      s.execute(sql);
    }
  }
}
