package org.keydir.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MetricsEndpointTest {
  private static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  private static final String CLAIM = "/_matrix/client/v3/keys/claim";

  @Test
  void
      metrics_count_keys_and_fallbacks_handed_out_sample_the_stock_and_time_requests_per_route_template()
          throws Exception {
    try (TestKeydir kd =
        TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_METRICS_STOCK_INTERVAL", "1s"))) {
      SigningDevice d = new SigningDevice(kd.createDevice("metrics", null));
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("device_keys", d.deviceKeys());
      body.set("one_time_keys", d.oneTimeKeys("A1", "A2", "A3").get("one_time_keys"));
      body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
      assertThat(kd.http.post(UPLOAD, d.token, body).status()).isEqualTo(200);
      String claim =
          "{\"one_time_keys\":{\""
              + d.userId
              + "\":{\""
              + d.deviceId
              + "\":\"signed_curve25519\"}}}";
      for (int i = 0; i < 4; i++)
        assertThat(kd.http.post(CLAIM, d.token, claim).status()).isEqualTo(200);
      assertThat(
              kd.http
                  .get(
                      "/_keydir/admin/v1/users/" + d.userId + "/devices/" + d.deviceId,
                      TestKeydir.ADMIN_TOKEN)
                  .status())
          .isEqualTo(200);

      String metrics = kd.http.get("/metrics", null).text();
      assertThat(value(metrics, "keydir_one_time_keys_claimed_total")).isEqualTo(3.0);
      assertThat(value(metrics, "keydir_fallback_keys_claimed_total")).isEqualTo(1.0);
      assertThat(metrics)
          .containsPattern(
              "vertx_http_server_response_time_seconds_bucket\\{[^}]*route=\"/_matrix/client/v3/keys/claim\"");
      assertThat(metrics).contains("route=\"/_keydir/admin/v1/users/:userId/devices/:deviceId\"");
      assertThat(metrics)
          .as("no user or device id in any label")
          .doesNotContain(d.userId)
          .doesNotContain(d.deviceId);

      long deadline = System.currentTimeMillis() + 10_000;
      double stock = -1;
      while (stock != 0.0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        stock = value(kd.http.get("/metrics", null).text(), "keydir_one_time_keys_available");
      }
      assertThat(stock).as("all three one-time keys were claimed").isEqualTo(0.0);
      assertThat(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("B1", "B2")).status()).isEqualTo(200);
      deadline = System.currentTimeMillis() + 10_000;
      while (stock != 2.0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        stock = value(kd.http.get("/metrics", null).text(), "keydir_one_time_keys_available");
      }
      assertThat(stock).isEqualTo(2.0);
    }
  }

  @Test
  void jvm_and_process_metrics_are_exported() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      String text = kd.http.get("/metrics", null).text();
      assertThat(text)
          .contains(
              "jvm_memory_used_bytes{",
              "jvm_threads_live_threads",
              "process_uptime_seconds",
              "process_cpu_usage",
              "process_files_open_files",
              "jvm_classes_loaded_classes");
    }
  }

  @Test
  void with_metrics_disabled_there_is_no_metrics_endpoint() {
    try (TestKeydir kd =
        TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_METRICS_ENABLED", "false"))) {
      Http.Response r = kd.http.get("/metrics", null);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.errcode()).isEqualTo("M_UNRECOGNIZED");
    }
  }

  private static double value(String exposition, String name) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$")
            .matcher(exposition);
    assertThat(m.find()).as(name + " in\n" + exposition).isTrue();
    return Double.parseDouble(m.group(2));
  }
}
