package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.store.EmbeddedDatabase;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServiceEndpointsTest {
  @Test
  void versions_lists_spec_versions_and_msc4162_and_health_and_ready_answer() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      Http.Response v = kd.http.get("/_matrix/client/versions", null);
      assertThat(v.status()).isEqualTo(200);
      assertThat(v.json().get("versions").toString()).contains("v1.13");
      assertThat(v.json().at("/unstable_features/org.matrix.msc4162").asBoolean()).isTrue();
      assertThat(kd.http.get("/health", null).status()).isEqualTo(200);
      Http.Response ready = kd.http.get("/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().get("status").asText()).isEqualTo("ready");
    }
  }

  @Test
  void
      when_the_database_is_down_ready_and_database_backed_requests_are_503_health_stays_200_and_it_recovers() {
    java.nio.file.Path pgDir = TestDatabase.tempDir("keydir-down");
    EmbeddedDatabase pg = EmbeddedDatabase.start(pgDir);
    int port = pg.port();
    try (TestKeydir kd =
        TestKeydir.start(
            pg.url(), java.util.Map.of("KEYDIR_DATABASE_CONNECT_TIMEOUT_MS", "1000"))) {
      TestKeydir.Device d = kd.createDevice("u", null);
      pg.close();
      Http.Response ready = kd.http.get("/ready", null);
      assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
      Http.Response whoami = kd.http.get("/_matrix/client/v3/account/whoami", d.token());
      assertThat(whoami.status()).as(whoami.toString()).isEqualTo(503);
      assertThat(whoami.errcode()).isEqualTo("M_UNKNOWN");
      assertThat(whoami.headers().firstValue("Retry-After"))
          .as("a 503 says when to come back")
          .contains("1");
      assertThat(kd.http.get("/health", null).status()).isEqualTo(200);

      pg = EmbeddedDatabase.start(pgDir, port);
      assertThat(kd.http.get("/ready", null).status()).isEqualTo(200);
      assertThat(kd.http.get("/_matrix/client/v3/account/whoami", d.token()).status())
          .isEqualTo(200);
    } finally {
      pg.close();
    }
  }
}
