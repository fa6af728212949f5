package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Issue 17: statements that stand alone (a one-device claim, queries, token lookups) go through
 * {@code database.pipelined_connections} pipelined connections, not the pool; a stuck pipelined
 * statement makes the others wait at most the connect timeout and then answer 503 busy.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PipelinedStatementsTest {
  private static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  private static final String CLAIM = "/_matrix/client/v3/keys/claim";

  @Test
  void concurrent_one_device_claims_run_on_at_most_the_configured_pipelined_connections()
      throws Exception {
    String url = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(url, Map.of("KEYDIR_DATABASE_PIPELINED_CONNECTIONS", "2"))) {
      SigningDevice d = uploadedDevice(kd, "pipe", 80);
      List<String> got = claimConcurrently(kd, d, 64);
      assertThat(new HashSet<>(got)).as("each claim its own key").hasSize(64);

      Map<String, List<String>> lastQueries = lastQueriesByApplication(url);
      List<String> pipelined = lastQueries.getOrDefault(Database.PIPELINED, List.of());
      assertThat(pipelined).as("pipelined connections").hasSizeBetween(1, 2);
      assertThat(pipelined).anyMatch(PipelinedStatementsTest::isOneDeviceClaim);
      assertThat(lastQueries.getOrDefault("keydir", List.of()))
          .as("the pool's connections ran no claim")
          .noneMatch(PipelinedStatementsTest::isOneDeviceClaim);
    }
  }

  @Test
  void with_no_pipelined_connections_claims_run_on_the_pool() throws Exception {
    String url = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(url, Map.of("KEYDIR_DATABASE_PIPELINED_CONNECTIONS", "0"))) {
      SigningDevice d = uploadedDevice(kd, "nopipe", 20);
      assertThat(new HashSet<>(claimConcurrently(kd, d, 16))).hasSize(16);
      Map<String, List<String>> lastQueries = lastQueriesByApplication(url);
      assertThat(lastQueries).doesNotContainKey(Database.PIPELINED);
      assertThat(lastQueries.get("keydir")).anyMatch(PipelinedStatementsTest::isOneDeviceClaim);
    }
  }

  @Test
  void a_stuck_pipelined_statement_makes_the_next_ones_answer_503_busy_never_500()
      throws Exception {
    String url = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(
            url,
            Map.of(
                "KEYDIR_DATABASE_PIPELINED_CONNECTIONS", "1",
                "KEYDIR_DATABASE_PIPELINE_DEPTH", "1",
                "KEYDIR_DATABASE_CONNECT_TIMEOUT_MS", "400"))) {
      SigningDevice d = new SigningDevice(kd.createDevice("stuck", "S"));
      ObjectNode body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
      body.set("device_keys", d.deviceKeys());
      body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
      assertThat(kd.http.post(UPLOAD, d.token, body).status()).isEqualTo(200);

      DatabaseUrl u = DatabaseUrl.parse(url);
      try (Connection lock = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password())) {
        lock.setAutoCommit(false);
        try (Statement s = lock.createStatement()) {
          // Claims wait for a fallback key's row lock (they skip only one-time keys' locks).
          s.execute("SELECT * FROM fallback_keys WHERE user_id = '" + d.userId + "' FOR UPDATE");
        }
        CompletableFuture<Http.Response> first = claimAsync(kd, d);
        waitForALockWait(url);
        List<CompletableFuture<Http.Response>> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) next.add(claimAsync(kd, d));
        for (var f : next) {
          Http.Response r = f.get(30, TimeUnit.SECONDS);
          assertThat(r.status()).as(r.toString()).isEqualTo(503);
          assertThat(r.errcode()).isEqualTo("M_UNKNOWN");
          assertThat(r.text()).contains("busy");
        }
        lock.commit();
        Http.Response r = first.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().at("/one_time_keys/" + pointer(d.userId) + "/S").size()).isEqualTo(1);
      }
      assertThat(claimAsync(kd, d).get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  private static SigningDevice uploadedDevice(TestKeydir kd, String localpart, int keys) {
    SigningDevice d = new SigningDevice(kd.createDevice(localpart, "P"));
    String[] ids = new String[keys];
    for (int i = 0; i < keys; i++) ids[i] = "k" + i;
    ObjectNode body = d.oneTimeKeys(ids);
    body.set("device_keys", d.deviceKeys());
    Http.Response r = kd.http.post(UPLOAD, d.token, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return d;
  }

  private static List<String> claimConcurrently(TestKeydir kd, SigningDevice d, int n)
      throws Exception {
    List<CompletableFuture<Http.Response>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) all.add(claimAsync(kd, d));
    List<String> ids = new ArrayList<>();
    for (var f : all) {
      Http.Response r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      ids.add(
          r.json()
              .at("/one_time_keys/" + pointer(d.userId) + "/" + d.deviceId)
              .fieldNames()
              .next());
    }
    return ids;
  }

  private static CompletableFuture<Http.Response> claimAsync(TestKeydir kd, SigningDevice d) {
    String body =
        "{\"one_time_keys\":{\"" + d.userId + "\":{\"" + d.deviceId + "\":\"signed_curve25519\"}}}";
    return CompletableFuture.supplyAsync(() -> kd.http.post(CLAIM, d.token, body));
  }

  private static String pointer(String s) {
    return s.replace("~", "~0").replace("/", "~1");
  }

  private static boolean isOneDeviceClaim(String query) {
    return query.contains("WITH picked AS") && query.contains("o.user_id = $1");
  }

  /** Each keydir backend's last statement, by application_name. */
  private static Map<String, List<String>> lastQueriesByApplication(String url) throws Exception {
    DatabaseUrl u = DatabaseUrl.parse(url);
    Map<String, List<String>> out = new java.util.HashMap<>();
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT application_name, query FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    + " AND application_name LIKE 'keydir%'")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return out;
  }

  private static void waitForALockWait(String url) throws Exception {
    DatabaseUrl u = DatabaseUrl.parse(url);
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
        Statement s = c.createStatement()) {
      // On Citus the claim waits on the worker that holds the row, under Citus's own backend there:
      // citus_lock_waits shows the cluster's lock waits from the coordinator.
      String waits =
          org.keydir.testing.TestDatabase.onCitus()
              ? "SELECT count(*) FROM citus_lock_waits"
              : "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                  + Database.PIPELINED
                  + "' AND wait_event_type = 'Lock'";
      for (int i = 0; i < 200; i++) {
        try (ResultSet rs = s.executeQuery(waits)) {
          rs.next();
          if (rs.getInt(1) > 0) return;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the first claim never waited for the fallback key's lock");
  }
}
