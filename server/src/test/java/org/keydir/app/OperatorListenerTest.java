package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * {@code listen.operator}: the admin API and /metrics on their own port, so a NetworkPolicy can
 * keep them private.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OperatorListenerTest {
  @Test
  void
      with_an_operator_listener_the_admin_api_and_metrics_are_served_there_and_not_on_the_client_listener()
          throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(), Map.of("KEYDIR_LISTEN_OPERATOR", "127.0.0.1:" + port))) {
      Http operator = new Http("http://127.0.0.1:" + port);
      String devices = "/_keydir/admin/v1/users/@alice:" + TestKeydir.SERVER_NAME + "/devices";
      assertThat(kd.http.get(devices, TestKeydir.ADMIN_TOKEN).status()).isEqualTo(404);
      assertThat(kd.http.get("/metrics", null).status()).isEqualTo(404);
      assertThat(operator.get(devices, TestKeydir.ADMIN_TOKEN).status()).isEqualTo(200);
      assertThat(operator.get("/metrics", null).text()).contains("keydir_");
      assertThat(operator.get("/ready", null).status()).isEqualTo(200);
      assertThat(operator.post("/_matrix/client/v3/keys/query", "syt_x", "{}").status())
          .isEqualTo(404);
      assertThat(kd.http.get("/_matrix/client/versions", null).status()).isEqualTo(200);
    }
  }

  @Test
  void without_it_the_client_listener_serves_both_as_before() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      assertThat(
              kd.http
                  .get(
                      "/_keydir/admin/v1/users/@alice:" + TestKeydir.SERVER_NAME + "/devices",
                      TestKeydir.ADMIN_TOKEN)
                  .status())
          .isEqualTo(200);
      assertThat(kd.http.get("/metrics", null).status()).isEqualTo(200);
    }
  }
}
