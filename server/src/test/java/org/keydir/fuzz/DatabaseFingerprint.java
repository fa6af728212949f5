package org.keydir.fuzz;

import org.keydir.testing.TestKeydir;

/** One hash over every row of every keydir table: equal before and after means nothing changed. */
final class DatabaseFingerprint {
  private static final String SQL =
      """
      SELECT md5(concat_ws('|',
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM devices t),
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM access_tokens t),
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM device_keys t),
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM one_time_keys t),
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM fallback_keys t),
        (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM audit_log t))) AS h""";

  private DatabaseFingerprint() {}

  static String of(TestKeydir kd) {
    return kd.keydir
        .database()
        .pool()
        .query(SQL)
        .execute()
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await()
        .iterator()
        .next()
        .getString("h");
  }
}
