package org.keydir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keydir.store.DatabaseUrl;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/** The bench run briefly against a real keydir: what it reports must be what the server stored. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BenchAgainstKeydirTest {
  private static final int REQUESTS = 30;
  private static final int BATCH = 20;
  private static final int BULK = 5;
  private static String databaseUrl;
  private static TestKeydir keydir;
  private static Bench.Result result;
  private static Path out;

  @BeforeAll
  static void runTheBench(@TempDir Path dir) throws Exception {
    databaseUrl = TestDatabase.fresh();
    keydir = TestKeydir.start(databaseUrl);
    out = dir;
    BenchOptions o =
        new BenchOptions(
            URI.create(keydir.keydir.baseUrl()),
            TestKeydir.ADMIN_TOKEN,
            null,
            TestKeydir.SERVER_NAME,
            12,
            List.of(1, 4),
            RunLimit.ofRequests(REQUESTS),
            Duration.ZERO,
            Duration.ZERO,
            List.of(Phase.values()),
            BATCH,
            BULK,
            3,
            10_000,
            1,
            dir,
            Map.of("self", ProcessHandle.current().pid()),
            true);
    result = Bench.run(o);
  }

  @AfterAll
  static void stop() {
    if (keydir != null) keydir.close();
  }

  private static long sql(String query) throws Exception {
    DatabaseUrl u = DatabaseUrl.parse(databaseUrl);
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<JsonNode> levels(String phase) {
    return result.json().path("levels").findParents("phase").stream()
        .filter(l -> l.path("phase").asText().equals(phase))
        .toList();
  }

  @Test
  void every_phase_ran_at_every_level_with_exactly_the_requests_asked_and_no_problem() {
    JsonNode levels = result.json().path("levels");
    assertThat(levels).hasSize(Phase.values().length * 2);
    for (JsonNode l : levels) {
      assertThat(l.path("requests").asLong()).as(l.toString()).isEqualTo(REQUESTS);
      assertThat(l.path("ok").asLong()).as(l.toString()).isEqualTo(REQUESTS);
      assertThat(l.path("errors").asLong()).as(l.toString()).isZero();
      assertThat(l.path("empty_claims").asLong()).as(l.toString()).isZero();
      assertThat(l.path("stock_ran_out").asBoolean()).as(l.toString()).isFalse();
      assertThat(l.path("latency_ms").path("count").asLong()).isEqualTo(REQUESTS);
    }
    levels("upload").forEach(l -> assertThat(l.path("keys").asLong()).isEqualTo(REQUESTS * BATCH));
    levels("claim").forEach(l -> assertThat(l.path("keys").asLong()).isEqualTo(REQUESTS));
    levels("claim-bulk")
        .forEach(l -> assertThat(l.path("keys").asLong()).isEqualTo(REQUESTS * BULK));
    JsonNode checks = result.json().path("checks");
    assertThat(checks.path("verification_errors").isEmpty()).as(checks.toString()).isTrue();
    assertThat(checks.path("final_count_mismatches").asLong()).isZero();
    assertThat(checks.path("final_count_devices_checked").asLong()).isEqualTo(12);
  }

  @Test
  void the_keys_it_counts_as_uploaded_and_claimed_are_the_keys_the_server_stored_and_handed_out()
      throws Exception {
    JsonNode ledger = result.json().path("ledger");
    assertThat(sql("SELECT count(*) FROM one_time_keys"))
        .isEqualTo(ledger.path("one_time_keys_uploaded").asLong());
    assertThat(sql("SELECT count(*) FROM one_time_keys WHERE claimed_ts IS NOT NULL"))
        .isEqualTo(ledger.path("one_time_keys_claimed").asLong());
    JsonNode keysByOp = ledger.path("keys_by_op");
    assertThat(ledger.path("one_time_keys_claimed").asLong())
        .isEqualTo(keysByOp.path("claim").asLong() + keysByOp.path("claim-bulk").asLong());
    assertThat(
            levels("claim").stream().mapToLong(l -> l.path("keys").asLong()).sum()
                + levels("mixed").stream()
                    .mapToLong(
                        l ->
                            l.path("ops").findParents("op").stream()
                                .filter(o -> o.path("op").asText().equals("claim"))
                                .mapToLong(o -> o.path("keys").asLong())
                                .sum())
                    .sum())
        .isEqualTo(keysByOp.path("claim").asLong());
  }

  @Test
  void the_upload_requests_it_counts_are_the_uploads_the_server_stored() throws Exception {
    JsonNode requests = result.json().path("ledger").path("requests_by_op");
    long uploadsWithKeys = requests.path("upload").asLong() + requests.path("restock").asLong();
    assertThat(sql("SELECT count(DISTINCT upload_seq) FROM one_time_keys"))
        .isEqualTo(uploadsWithKeys);
    assertThat(sql("SELECT count(*) FROM devices")).isEqualTo(12);
    assertThat(sql("SELECT count(*) FROM device_keys"))
        .isEqualTo(requests.path("identity").asLong());
  }

  @Test
  void results_json_parses_and_the_report_is_self_contained() throws Exception {
    JsonNode parsed = Json.MAPPER.readTree(Files.readString(out.resolve("results.json")));
    assertThat(parsed.equals(Json.MAPPER.readTree(result.json().toString()))).isTrue();
    assertThat(parsed.path("levels").get(0).path("latency_ms").path("percentiles").size())
        .isGreaterThan(10);
    assertThat(parsed.path("levels").get(0).path("server").path("cpu_ms").has("self")).isTrue();
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html)
        .contains("<svg", "claim-bulk", "requests/s")
        .doesNotContain("<script", "<link", "src=");
    assertThat(html.replace("http://www.w3.org/2000/svg", "").replace(keydir.keydir.baseUrl(), ""))
        .doesNotContain("http://", "https://");
  }
}
