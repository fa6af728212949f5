package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Starting, stopping and running replicas")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LifecycleTest {
  private static final String WHOAMI = "/_matrix/client/v3/account/whoami";

  @Test
  void
      with_no_database_configured_it_runs_an_embedded_durable_postgres_that_keeps_data_across_restarts() {
    Path dataDir = TestDatabase.tempDir("keydir-embedded");
    Map<String, String> env = Map.of("KEYDIR_DATA_DIR", dataDir.toString());
    TestKeydir.Device device;
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      device = kd.createDevice("persist", "PDEV");
      var settings =
          kd.keydir
              .database()
              .pool()
              .query(
                  "SELECT current_setting('fsync') AS f, current_setting('synchronous_commit') AS s")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await()
              .iterator()
              .next();
      assertThat(settings.getString("f")).isEqualTo("on");
      assertThat(settings.getString("s")).isEqualTo("on");
    }
    assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      Http.Response r = kd.http.get(WHOAMI, device.token());
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().get("device_id").asText()).isEqualTo("PDEV");
    }
  }

  @Test
  void
      two_instances_starting_at_the_same_moment_on_one_database_both_migrate_and_serve_the_same_data()
          throws Exception {
    String db = TestDatabase.fresh();
    CompletableFuture<TestKeydir> a = CompletableFuture.supplyAsync(() -> TestKeydir.start(db));
    CompletableFuture<TestKeydir> b = CompletableFuture.supplyAsync(() -> TestKeydir.start(db));
    try (TestKeydir ka = a.get(60, TimeUnit.SECONDS);
        TestKeydir kb = b.get(60, TimeUnit.SECONDS)) {
      TestKeydir.Device onA = ka.createDevice("shared", null);
      TestKeydir.Device onB = kb.createDevice("shared2", null);
      assertThat(kb.http.get(WHOAMI, onA.token()).status()).isEqualTo(200);
      assertThat(ka.http.get(WHOAMI, onB.token()).status()).isEqualTo(200);
      var history =
          ka.keydir
              .database()
              .pool()
              .query(
                  "SELECT count(*) AS n, count(DISTINCT version) AS v FROM keydir_schema_history WHERE success")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await()
              .iterator()
              .next();
      assertThat(history.getLong("n")).isEqualTo(history.getLong("v"));
    }
  }

  @Test
  void a_second_keydir_on_the_same_data_folder_is_refused_with_a_clear_error() {
    Path dataDir = TestDatabase.tempDir("keydir-locked");
    Map<String, String> env = Map.of("KEYDIR_DATA_DIR", dataDir.toString());
    try (TestKeydir kd = TestKeydir.start(null, env)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestKeydir.start(null, env))
          .hasMessageContaining("in use by another running keydir");
      assertThat(kd.http.get("/ready", null).status()).isEqualTo(200);
    }
  }

  /**
   * Vert.x's gauge of POST requests whose head arrived and whose answer has not been sent (the
   * scrape itself counts as an active GET).
   */
  private static boolean activeRequest(TestKeydir kd) {
    return kd.http
        .get("/metrics", null)
        .text()
        .lines()
        .filter(l -> l.startsWith("vertx_http_server_active_requests{method=\"POST\""))
        .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1.0);
  }

  @Test
  void shutdown_finishes_a_request_in_flight_then_stops_accepting() throws Exception {
    TestKeydir kd = TestKeydir.start(TestDatabase.fresh());
    String body = "{\"user_id\":\"@inflight:test.keydir\"}";
    try (Socket s = new Socket("127.0.0.1", kd.keydir.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /_keydir/admin/v1/devices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + TestKeydir.ADMIN_TOKEN
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body.substring(0, 10))
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!activeRequest(kd)) { // keydir has the request's head: it is in flight
        assertThat(System.nanoTime()).as("the request reached keydir").isLessThan(deadline);
        Thread.onSpinWait();
      }
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(kd::close);
      org.keydir.testing.Pending.stillPendingAfter(
          stopping, java.time.Duration.ofMillis(300), "shutdown with a request in flight");
      out.write(body.substring(10).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200").contains("access_token");
      stopping.get(30, TimeUnit.SECONDS);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Socket("127.0.0.1", kd.keydir.port()).close())
        .isInstanceOf(java.net.ConnectException.class);
  }
}
