package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestClock;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * The default retentions (30 days of claimed-key tombstones) on virtual time: keydir started with a
 * {@link TestClock} decides by it alone, so a month passes in one call and nothing waits for it.
 */
class RetentionOnVirtualTimeTest {
  @Test
  void a_tombstone_outlives_29_days_and_is_gone_after_the_30_day_retention() {
    TestClock clock = new TestClock(Instant.parse("2026-12-01T00:00:00Z"));
    try (TestKeydir kd =
        TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_CLEANUP_INTERVAL", "100ms"), clock)) {
      SigningDevice d = new SigningDevice(kd.createDevice("month", "MONTH"));
      ObjectNode upload = d.oneTimeKeys("AAAA");
      upload.set("device_keys", d.deviceKeys());
      assertThat(kd.http.post(DataLifecycleTest.UPLOAD, d.token, upload).status()).isEqualTo(200);
      assertThat(
              kd.http
                  .post(
                      "/_matrix/client/v3/keys/claim",
                      d.token,
                      "{\"one_time_keys\":{\""
                          + d.userId
                          + "\":{\"MONTH\":\"signed_curve25519\"}}}")
                  .text())
          .contains("signed_curve25519:AAAA");
      String tombstones =
          "SELECT count(*) FROM one_time_keys WHERE user_id = '"
              + d.userId
              + "' AND claimed_ts IS NOT NULL";
      assertThat(DataLifecycleTest.count(kd, tombstones)).isEqualTo(1);

      clock.advance(Duration.ofDays(29));
      // several cleanup rounds (every 100 ms of real time) run on day 29
      long until = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < until) {
        assertThat(DataLifecycleTest.count(kd, tombstones)).as("tombstone on day 29").isEqualTo(1);
        Thread.onSpinWait();
      }

      clock.advance(Duration.ofDays(2));
      DataLifecycleTest.untilZero(kd, tombstones);
    }
  }
}
