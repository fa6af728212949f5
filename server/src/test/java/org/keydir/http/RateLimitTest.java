package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RateLimitTest {
  private static final String UPLOAD = "/_matrix/client/v3/keys/upload";

  @Test
  void
      a_device_over_its_limit_gets_429_M_LIMIT_EXCEEDED_with_retry_after_ms_others_and_the_admin_api_do_not()
          throws InterruptedException {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_RATE_LIMIT_ENABLED",
                "true",
                "KEYDIR_RATE_LIMIT_REQUESTS_PER_SECOND",
                "2",
                "KEYDIR_RATE_LIMIT_BURST",
                "3"))) {
      TestKeydir.Device busy = kd.createDevice("busy", null);
      TestKeydir.Device quiet = kd.createDevice("quiet", null);
      for (int i = 0; i < 3; i++)
        assertThat(kd.http.post(UPLOAD, busy.token(), "{}").status()).isEqualTo(200);
      Http.Response limited = kd.http.post(UPLOAD, busy.token(), "{}");
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
      long retryAfter = limited.json().get("retry_after_ms").asLong();
      assertThat(retryAfter).isBetween(1L, 1000L);
      assertThat(limited.headers().firstValue("Retry-After"))
          .as("RFC 9110 §10.2.3, in whole seconds, rounded up")
          .contains(Long.toString((retryAfter + 999) / 1000));
      assertThat(kd.http.post(UPLOAD, quiet.token(), "{}").status()).isEqualTo(200);
      for (int i = 0; i < 20; i++)
        kd.createDevice("admin" + i, null); // the admin API is never limited
      Thread.sleep(retryAfter + 50);
      assertThat(kd.http.post(UPLOAD, busy.token(), "{}").status()).isEqualTo(200);
    }
  }
}
