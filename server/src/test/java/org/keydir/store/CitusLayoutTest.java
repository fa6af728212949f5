package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Where keydir's tables live on Citus. The first test runs on every database: a migration that adds
 * a table without a place in {@link CitusLayout} fails it. The others need a Citus coordinator in
 * {@code KEYDIR_TEST_DATABASE_URL} and are skipped otherwise.
 */
@DisplayName("Citus: every table placed, statements pruned to the named users' shards")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CitusLayoutTest {
  static final String NOT_CITUS =
      "skipped: KEYDIR_TEST_DATABASE_URL does not name a Citus coordinator "
          + "(docs/testing.md, \"On Citus\")";

  private static String citusUrl;
  private static TestKeydir citus;

  /**
   * One keydir on one fresh Citus database for the Citus-only tests (they only read and explain).
   */
  private static synchronized TestKeydir citusKeydir() {
    assumeTrue(TestDatabase.onCitus(), NOT_CITUS);
    if (citus == null) {
      citusUrl = TestDatabase.fresh();
      citus = TestKeydir.start(citusUrl);
    }
    return citus;
  }

  @org.junit.jupiter.api.AfterAll
  static void stopCitusKeydir() {
    if (citus != null) citus.close();
  }

  @Test
  void every_table_the_migrations_create_has_a_place_in_the_layout() throws Exception {
    String url = TestDatabase.fresh();
    Migrations.apply(DatabaseUrl.parse(url));
    TreeSet<String> declared = new TreeSet<>();
    Stream.of(CitusLayout.BY_USER, CitusLayout.BY_DESTINATION, CitusLayout.REFERENCE)
        .forEach(declared::addAll);
    declared.add("keydir_schema_history"); // Flyway's own: stays on the coordinator
    assertThat(tables(url)).isEqualTo(declared);
  }

  @Test
  void on_citus_every_table_is_placed_as_declared_and_placing_again_changes_nothing() {
    citusKeydir();
    Map<String, String> placements = CitusLayout.placements(DatabaseUrl.parse(citusUrl));
    CitusLayout.BY_USER.forEach(
        t -> assertThat(placements).containsEntry(t, "distributed on user_id"));
    CitusLayout.BY_DESTINATION.forEach(
        t -> assertThat(placements).containsEntry(t, "distributed on destination"));
    CitusLayout.REFERENCE.forEach(t -> assertThat(placements).containsEntry(t, "reference table"));
    assertThat(placements).containsEntry("keydir_schema_history", "local");
    assertThat(CitusLayout.apply(DatabaseUrl.parse(citusUrl), CitusLayout.Mode.ON)).isEmpty();
  }

  @Test
  void with_citus_on_a_database_without_the_extension_refuses_to_start_in_one_sentence() {
    assumeTrue(!TestDatabase.onCitus(), "runs on plain PostgreSQL only");
    String url = TestDatabase.fresh();
    Migrations.apply(DatabaseUrl.parse(url));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CitusLayout.apply(DatabaseUrl.parse(url), CitusLayout.Mode.ON))
        .hasMessageContaining("database.citus is on but the database has no citus extension");
  }

  @Test
  void a_key_query_naming_users_of_two_shards_reaches_exactly_those_two_shards() {
    TestKeydir kd = citusKeydir();
    var pool = kd.keydir.database().pool();
    List<String> users = twoUsersOnDifferentShards(pool);
    String plan =
        explain(
            pool,
            "EXPLAIN " + DeviceKeyStore.QUERY_CITUS,
            io.vertx.sqlclient.Tuple.of(
                users.toArray(String[]::new),
                new String[] {users.get(0)},
                new String[] {users.get(1) + " DEV"}));
    assertThat(plan).contains("Task Count: 2");
  }

  @Test
  void the_internal_sync_state_read_for_devices_of_two_shards_reaches_only_those_shards() {
    TestKeydir kd = citusKeydir();
    var pool = kd.keydir.database().pool();
    List<String> users = twoUsersOnDifferentShards(pool);
    String plan =
        explain(
            pool,
            "EXPLAIN " + SyncStateStore.STATE,
            io.vertx.sqlclient.Tuple.tuple()
                .addArrayOfString(users.toArray(String[]::new))
                .addArrayOfString(new String[] {"A", "B"}));
    assertThat(plan).contains("Task Count: 2").doesNotContain("Task Count: 32");
  }

  @Test
  void a_bulk_claim_statement_for_users_of_one_shard_is_routed_to_that_shard_alone() {
    TestKeydir kd = citusKeydir();
    var pool = kd.keydir.database().pool();
    List<String> sameShard = twoUsersOnOneShard(pool);
    // constants in place of the parameters: an EXPLAIN of the parameterised text is planned before
    // Citus sees the values, and so cannot show the routing a real execution gets
    String statement =
        ClaimStore.CLAIM_CITUS
            .replace("$1", "ARRAY['" + sameShard.get(0) + "', '" + sameShard.get(1) + "']::text[]")
            .replace("$2", "ARRAY['A', 'B']::text[]")
            .replace("$3", "ARRAY['signed_curve25519', 'signed_curve25519']::text[]")
            .replace("$4", "1");
    String plan = explain(pool, "EXPLAIN " + statement, io.vertx.sqlclient.Tuple.tuple());
    assertThat(plan).contains("Task Count: 1");
  }

  @Test
  void the_upload_lookup_of_key_ids_is_routed_to_the_users_shard_alone() {
    TestKeydir kd = citusKeydir();
    var pool = kd.keydir.database().pool();
    String statement =
        OneTimeKeyStore.FIND
            .replace("$1", "'@lookup:localhost'")
            .replace("$2", "'D'")
            .replace("$3", "ARRAY['signed_curve25519', 'signed_curve25519']")
            .replace("$4", "ARRAY['A', 'B']");
    String plan = explain(pool, "EXPLAIN " + statement, io.vertx.sqlclient.Tuple.tuple());
    assertThat(plan).contains("Task Count: 1");
  }

  @Test
  void a_claim_of_devices_of_many_users_is_one_statement_per_shard_in_shard_order() {
    TestKeydir kd = citusKeydir();
    var pool = kd.keydir.database().pool();
    List<org.keydir.keys.DeviceAlgorithm> wanted = new ArrayList<>();
    for (int i = 0; i < 150; i++)
      wanted.add(
          new org.keydir.keys.DeviceAlgorithm(
              "@shard" + i + ":localhost", "D", "signed_curve25519"));
    List<List<org.keydir.keys.DeviceAlgorithm>> statements =
        new ClaimStore(kd.keydir.database().shards())
            .statements(pool, wanted)
            .timeout(30, TimeUnit.SECONDS)
            .await();
    List<Long> shardOfEach = new ArrayList<>();
    for (List<org.keydir.keys.DeviceAlgorithm> statement : statements) {
      List<Long> shards = new ArrayList<>();
      pool.preparedQuery(
              "SELECT DISTINCT get_shard_id_for_distribution_column('devices', u) AS s FROM unnest($1::text[]) u")
          .execute(
              io.vertx.sqlclient.Tuple.of(
                  statement.stream()
                      .map(org.keydir.keys.DeviceAlgorithm::userId)
                      .toArray(String[]::new)))
          .timeout(30, TimeUnit.SECONDS)
          .await()
          .forEach(r -> shards.add(r.getLong("s")));
      assertThat(shards).as("one shard per statement").hasSize(1);
      shardOfEach.add(shards.get(0));
    }
    long distinct =
        pool.preparedQuery(
                "SELECT count(DISTINCT get_shard_id_for_distribution_column('devices', u)) AS n "
                    + "FROM unnest($1::text[]) u")
            .execute(
                io.vertx.sqlclient.Tuple.of(
                    wanted.stream()
                        .map(org.keydir.keys.DeviceAlgorithm::userId)
                        .toArray(String[]::new)))
            .timeout(30, TimeUnit.SECONDS)
            .await()
            .iterator()
            .next()
            .getLong("n");
    assertThat(shardOfEach).isSorted().doesNotHaveDuplicates().hasSize((int) distinct);
    assertThat(statements.stream().mapToInt(List::size).sum()).isEqualTo(150);
  }

  static String explain(io.vertx.sqlclient.Pool pool, String sql, io.vertx.sqlclient.Tuple params) {
    StringBuilder out = new StringBuilder();
    pool.preparedQuery(sql)
        .execute(params)
        .timeout(30, TimeUnit.SECONDS)
        .await()
        .forEach(r -> out.append(r.getString(0)).append('\n'));
    return out.toString();
  }

  static List<String> twoUsersOnDifferentShards(io.vertx.sqlclient.Pool pool) {
    List<String> out = new ArrayList<>();
    pool.query(
            "SELECT min(u) AS u FROM (SELECT '@shard' || i || ':localhost' AS u FROM generate_series(1, 200) i) s "
                + "GROUP BY get_shard_id_for_distribution_column('devices', u) ORDER BY 1 LIMIT 2")
        .execute()
        .timeout(30, TimeUnit.SECONDS)
        .await()
        .forEach(r -> out.add(r.getString("u")));
    return out;
  }

  static List<String> twoUsersOnOneShard(io.vertx.sqlclient.Pool pool) {
    List<String> out = new ArrayList<>();
    pool.query(
            "SELECT unnest(g) AS u FROM (SELECT (array_agg(u ORDER BY u))[1:2] AS g FROM (SELECT '@shard' || i "
                + "|| ':localhost' AS u FROM generate_series(1, 200) i) s GROUP BY get_shard_id_for_distribution_column("
                + "'devices', u) HAVING count(*) >= 2 ORDER BY 1 LIMIT 1) x")
        .execute()
        .timeout(30, TimeUnit.SECONDS)
        .await()
        .forEach(r -> out.add(r.getString("u")));
    return out;
  }

  private static TreeSet<String> tables(String url) throws Exception {
    DatabaseUrl u = DatabaseUrl.parse(url);
    TreeSet<String> out = new TreeSet<>();
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")) {
      while (r.next()) out.add(r.getString(1));
    }
    return out;
  }
}
