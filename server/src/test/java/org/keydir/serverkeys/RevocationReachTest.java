package org.keydir.serverkeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.config.RotationConfig;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("A revoked key stops being trusted quickly")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RevocationReachTest {
  static final String KEYS = "/_matrix/key/v2/server";

  @Test
  void
      a_revocation_on_one_replica_is_seen_by_another_within_a_second_though_it_refreshes_every_minute()
          throws Exception {
    String db = TestDatabase.fresh();
    Map<String, String> slow = Map.of("KEYDIR_ROTATION_REFRESH_INTERVAL", "1m");
    try (TestKeydir a = TestKeydir.start(db, slow);
        TestKeydir b = TestKeydir.start(db, slow)) {
      String keyId = b.http.get(KEYS, null).json().get("verify_keys").fieldNames().next();
      assertThat(
              a.http
                  .post(
                      "/_keydir/admin/v1/server_keys/" + keyId + "/revoke",
                      TestKeydir.ADMIN_TOKEN,
                      "{}")
                  .status())
          .isEqualTo(200);
      long t0 = System.nanoTime();
      long seenMs = -1;
      while ((System.nanoTime() - t0) < 5_000_000_000L) {
        JsonNode keys = b.http.get(KEYS, null).json();
        if (!keys.get("verify_keys").has(keyId)) {
          seenMs = (System.nanoTime() - t0) / 1_000_000;
          break;
        }
      }
      assertThat(seenMs)
          .as("ms until the other replica stopped publishing the revoked key")
          .isBetween(0L, 1_000L);
    }
  }

  @Test
  void valid_until_ts_is_at_most_a_day_ahead_by_default() throws Exception {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_ROTATION_ROTATION_PERIOD",
                "30d",
                "KEYDIR_ROTATION_PENDING_DURATION",
                "10d"))) {
      long validUntil = kd.http.get(KEYS, null).json().get("valid_until_ts").asLong();
      assertThat(validUntil - System.currentTimeMillis())
          .isLessThanOrEqualTo(Duration.ofDays(1).toMillis());
    }
  }

  @Property
  void no_published_validity_lies_beyond_published_validity(
      @ForAll @LongRange(min = 1, max = 14 * 24) long hours) {
    RotationConfig cfg =
        new RotationConfig(
            Duration.ofDays(10),
            Duration.ofDays(30),
            Duration.ofDays(7),
            Duration.ofMinutes(1),
            Duration.ofHours(hours));
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    ServerKey active =
        ServerKey.pending("ed25519:a", now.minus(Duration.ofDays(1)), false)
            .activate(now.minus(Duration.ofHours(1)));
    PublishedKeys p = PublishedKeys.of(List.of(active), cfg, now);
    assertThat(p.validUntil())
        .isBeforeOrEqualTo(now.plus(Duration.ofHours(Math.min(hours, 7 * 24))));
  }
}
