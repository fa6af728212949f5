package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.keys.KeyId;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Issue 17 (docs/performance.md item 18): the upload's lookup of its key ids runs at every upload,
 * on a connection set up as keydir's pool sets up its own (prepared statements cached). It must
 * settle on a cached generic plan after a few executions rather than be planned anew each time (a
 * custom plan of its 100 ids took 0.36 ms to plan on PostgreSQL 15, a third of the lookup).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LookupPlanCacheTest {
  private Vertx vertx;
  private PgConnection conn;

  @BeforeAll
  static void plainPostgresOnly() {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        TestDatabase.onCitus(), "plain PostgreSQL's plan cache only");
  }

  @BeforeEach
  void connect() throws Exception {
    String url = TestDatabase.fresh();
    TestKeydir.start(url).close(); // applies the migrations
    TestDatabase.execute(
        url,
        "INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts,"
            + " upload_seq, upload_pos) SELECT '@u:test.keydir', 'D', 'signed_curve25519', 'k' || i,"
            + " '{}', 0, 1, i FROM generate_series(1, 20) i");
    vertx = Vertx.vertx();
    PgConnectOptions options =
        new PgConnectOptions(DatabaseUrl.parse(url).options()).setCachePreparedStatements(true);
    conn = PgConnection.connect(vertx, options).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (conn != null) conn.close().await(10, TimeUnit.SECONDS);
    if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void the_upload_lookup_runs_on_a_cached_generic_plan_after_a_few_executions() throws Exception {
    OneTimeKeyStore store = new OneTimeKeyStore();
    for (int upload = 0; upload < 12; upload++) {
      int first = upload * 100;
      List<KeyId> ids =
          IntStream.range(first, first + 100)
              .mapToObj(i -> new KeyId("signed_curve25519", "n" + i))
              .toList();
      var found = store.find(conn, "@u:test.keydir", "D", ids).await(30, TimeUnit.SECONDS);
      assertThat(found).isEmpty();
    }
    Row plans =
        conn.query(
                "SELECT sum(generic_plans) AS generic_plans, sum(custom_plans) AS custom_plans"
                    + " FROM pg_prepared_statements WHERE statement LIKE '%key_id = %'"
                    + " AND statement LIKE 'SELECT%'")
            .execute()
            .await(30, TimeUnit.SECONDS)
            .iterator()
            .next();
    assertThat(plans.getLong("generic_plans")).as("generic plans").isGreaterThan(0);
    assertThat(plans.getLong("custom_plans")).as("custom plans").isLessThanOrEqualTo(5);
  }
}
