package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.config.ConfigException;
import org.keydir.config.ConfigLoader;
import org.keydir.store.DatabaseErrors;
import org.keydir.store.DatabaseUrl;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("A saturated pool is not a database outage, and a bad URL does not leak its password")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SaturationAndSecretsTest {
  @Test
  void the_pool_s_own_timeouts_count_as_saturation_not_as_the_database_being_down() {
    assertThat(
            DatabaseErrors.isPoolSaturated(
                new io.vertx.core.http.ConnectionPoolTooBusyException("full")))
        .isTrue();
    assertThat(
            DatabaseErrors.isPoolSaturated(
                new io.vertx.core.VertxException("Timeout waiting for connection", true)))
        .isTrue();
    assertThat(
            DatabaseErrors.isPoolSaturated(new io.vertx.core.impl.NoStackTraceThrowable("Timeout")))
        .isTrue();
    assertThat(DatabaseErrors.isPoolSaturated(new java.io.IOException("Connection refused")))
        .isFalse();
  }

  @Test
  void a_saturated_pool_answers_503_busy_and_never_500() throws Exception {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_DATABASE_POOL_SIZE", "1", "KEYDIR_DATABASE_CONNECT_TIMEOUT_MS", "400"))) {
      TestKeydir.Device d = kd.createDevice("busy", "B");
      String big = RequestCostTest.claimOf("nobody", 3_000);
      List<CompletableFuture<Http.Response>> all = new ArrayList<>();
      for (int i = 0; i < 16; i++)
        all.add(
            CompletableFuture.supplyAsync(
                () -> kd.http.post(RequestCostTest.CLAIM, d.token(), big)));
      int busy = 0;
      for (var f : all) {
        Http.Response r = f.get(120, TimeUnit.SECONDS);
        if (r.status() == 503) busy++;
        assertThat(r.status()).as(r.toString()).isIn(200, 503);
        if (r.status() == 503) assertThat(r.text()).contains("busy").doesNotContain("unavailable");
      }
      System.out.println("saturated pool: " + busy + " of 16 answered 503 busy");
    }
  }

  @Test
  void a_malformed_database_url_is_refused_without_echoing_its_password() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://keydir:s3cr3t-pw@db:notaport/keydir"))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("s3cr3t-pw");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of("KEYDIR_DATABASE_URL", "mysql://keydir:s3cr3t-pw@db/keydir")))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("s3cr3t-pw");
  }
}
