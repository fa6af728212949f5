package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.lifecycle.RetentionPolicy;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Every table has a lifecycle")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DataLifecycleTest {
  static final String UPLOAD = "/_matrix/client/v3/keys/upload";

  static long count(TestKeydir kd, String sql) {
    return kd.keydir
        .database()
        .pool()
        .query(sql)
        .execute()
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await()
        .iterator()
        .next()
        .getLong(0);
  }

  /** Polls until {@code sql} counts zero, for at most 15 s; the time it took. */
  static long untilZero(TestKeydir kd, String sql) {
    long t0 = System.nanoTime();
    while (count(kd, sql) > 0) {
      assertThat(System.nanoTime() - t0).as("waiting for: " + sql).isLessThan(15_000_000_000L);
      Thread.onSpinWait();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void a_claimed_id_is_refused_within_the_retention_and_its_tombstone_is_gone_after_it()
      throws Exception {
    String db = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(
            db,
            Map.of(
                "KEYDIR_LIMITS_CLAIMED_KEY_RETENTION", "3s", "KEYDIR_CLEANUP_INTERVAL", "200ms"))) {
      SigningDevice d = new SigningDevice(kd.createDevice("life", "LIFE"));
      ObjectNode first = d.oneTimeKeys("AAAA");
      first.set("device_keys", d.deviceKeys());
      assertThat(kd.http.post(UPLOAD, d.token, first).status()).isEqualTo(200);
      Http.Response claimed =
          kd.http.post(
              "/_matrix/client/v3/keys/claim",
              d.token,
              "{\"one_time_keys\":{\"" + d.userId + "\":{\"LIFE\":\"signed_curve25519\"}}}");
      assertThat(claimed.text()).contains("signed_curve25519:AAAA");

      Http.Response again = kd.http.post(UPLOAD, d.token, d.oneTimeKeys("AAAA"));
      assertThat(again.json().path("one_time_key_counts").path("signed_curve25519").asInt())
          .as("a claimed id uploaded again within the retention is not stored")
          .isZero();

      String tombstones =
          "SELECT count(*) FROM one_time_keys WHERE user_id = '"
              + d.userId
              + "' AND claimed_ts IS NOT NULL";
      assertThat(count(kd, tombstones)).isEqualTo(1);
      long ms = untilZero(kd, tombstones);
      assertThat(ms).as("ms until the tombstone was deleted").isLessThan(10_000);
    }
  }

  @Test
  void old_audit_rows_and_expired_peer_keys_are_deleted_recent_ones_kept() {
    String db = TestDatabase.fresh();
    try (TestKeydir kd =
        TestKeydir.start(
            db, Map.of("KEYDIR_AUDIT_RETENTION", "1h", "KEYDIR_CLEANUP_INTERVAL", "200ms"))) {
      kd.createDevice("audited", "AU"); // one recent audit row
      TestDatabase.execute(
          db,
          "INSERT INTO audit_log (user_id, ts, actor, action, details) "
              + "SELECT '@old' || g || ':test.keydir', 1000, 'admin-api', 'device.create', '{}' FROM generate_series(1, 20) g");
      TestDatabase.execute(
          db,
          "INSERT INTO peer_signing_keys VALUES ('gone.test', 'ed25519:a', 'x', 1000, 1000), "
              + "('kept.test', 'ed25519:a', 'x', "
              + (System.currentTimeMillis() + 3_600_000)
              + ", 1000)");
      untilZero(kd, "SELECT count(*) FROM audit_log WHERE ts = 1000");
      untilZero(kd, "SELECT count(*) FROM peer_signing_keys WHERE server_name = 'gone.test'");
      assertThat(count(kd, "SELECT count(*) FROM audit_log WHERE user_id = '@audited:test.keydir'"))
          .isEqualTo(1);
      assertThat(
              count(kd, "SELECT count(*) FROM peer_signing_keys WHERE server_name = 'kept.test'"))
          .isEqualTo(1);
    }
  }

  @Test
  void each_table_exports_its_row_count() throws Exception {
    String db = TestDatabase.fresh();
    try (TestKeydir kd = TestKeydir.start(db, Map.of("KEYDIR_METRICS_STOCK_INTERVAL", "1s"))) {
      kd.createDevice("counted", "C");
      TestDatabase.execute(db, "ANALYZE");
      long t0 = System.nanoTime();
      String metrics;
      do {
        metrics = Raw.get(kd.keydir.baseUrl() + "/metrics").body();
        assertThat(System.nanoTime() - t0).isLessThan(10_000_000_000L);
      } while (!metrics.contains("keydir_table_rows{table=\"one_time_keys\"}"));
      for (String table : org.keydir.metrics.Metrics.TABLES) {
        assertThat(metrics).contains("keydir_table_rows{table=\"" + table + "\"}");
      }
    }
  }

  @Test
  void every_table_is_measured_so_its_growth_shows() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      var rows =
          kd.keydir
              .database()
              .pool()
              .query(
                  "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                      + " AND tablename NOT LIKE '%schema_history'")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await();
      java.util.List<String> tables = new java.util.ArrayList<>();
      rows.forEach(r -> tables.add(r.getString(0)));
      assertThat(tables).isNotEmpty();
      assertThat(org.keydir.metrics.Metrics.TABLES)
          .as("every table has a keydir_table_rows gauge")
          .containsAll(tables);
    }
  }

  @Property
  void a_full_batch_resumes_at_its_last_user_and_a_short_one_starts_over(
      @ForAll @IntRange(min = 0, max = 50) int deleted,
      @ForAll @IntRange(min = 1, max = 50) int limit) {
    String next = RetentionPolicy.nextCursor(deleted, limit, deleted == 0 ? null : "@m:x");
    assertThat(next).isEqualTo(deleted >= limit ? "@m:x" : RetentionPolicy.FIRST_USER);
  }
}
