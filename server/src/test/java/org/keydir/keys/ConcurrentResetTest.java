package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/** Resets racing claims and uploads, on three keydir instances sharing one database. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentResetTest {
  private final List<TestKeydir> instances = new ArrayList<>();
  private ExecutorService pool;

  @BeforeAll
  void start() {
    String db = TestDatabase.fresh();
    for (int i = 0; i < 3; i++) instances.add(TestKeydir.start(db));
    pool = Executors.newFixedThreadPool(40);
  }

  @AfterAll
  void stop() {
    pool.shutdownNow();
    instances.forEach(TestKeydir::close);
  }

  private Http any() {
    return instances.get(ThreadLocalRandom.current().nextInt(instances.size())).http;
  }

  private Set<String> rows(SigningDevice d, boolean claimed) {
    Set<String> out = new HashSet<>();
    instances
        .get(0)
        .keydir
        .database()
        .pool()
        .preparedQuery(
            "SELECT key_id FROM one_time_keys WHERE user_id = $1 "
                + "AND device_id = $2 AND (claimed_ts IS NOT NULL) = $3")
        .execute(io.vertx.sqlclient.Tuple.of(d.userId, d.deviceId, claimed))
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await()
        .forEach(r -> out.add("signed_curve25519:" + r.getString("key_id")));
    return out;
  }

  private static String[] ids(String prefix, int from, int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) ids[i] = prefix + String.format("%04d", from + i);
    return ids;
  }

  @RepeatedTest(3)
  void a_reset_racing_claims_never_both_deletes_and_hands_out_a_key_and_the_counts_add_up()
      throws Exception {
    SigningDevice d = KeysApi.registered(instances.get(0));
    SigningDevice claimer = KeysApi.newDevice(instances.get(0));
    for (int b = 0; b < 3; b++)
      KeysApi.ok(
          instances.get(0).http.post(UPLOAD, d.token, d.oneTimeKeys(ids("K", b * 100, 100))));
    ConcurrentLinkedQueue<String> handedOut = new ConcurrentLinkedQueue<>();
    AtomicBoolean resetDone = new AtomicBoolean();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> work = new ArrayList<>();
    for (int c = 0; c < 32; c++) {
      work.add(
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                while (!resetDone.get()) {
                  JsonNode keys =
                      KeysApi.ok(
                              any()
                                  .post(
                                      KeysApi.CLAIM,
                                      claimer.token,
                                      "{\"one_time_keys\":{\""
                                          + d.userId
                                          + "\":{\""
                                          + d.deviceId
                                          + "\":\"signed_curve25519\"}}}"))
                          .json()
                          .at("/one_time_keys/" + d.userId + "/" + d.deviceId);
                  keys.fieldNames().forEachRemaining(handedOut::add);
                }
                return null;
              }));
    }
    go.countDown();
    Thread.sleep(ThreadLocalRandom.current().nextInt(20, 120));
    Http.Response reset = KeysApi.ok(any().post(KeyResetTest.V3_RESET, d.token, "{\"all\":true}"));
    resetDone.set(true);
    for (Future<?> f : work) f.get(60, TimeUnit.SECONDS);

    assertThat(reset.json().at("/device_one_time_keys_count/signed_curve25519").asInt()).isZero();
    List<String> handed = new ArrayList<>(handedOut);
    assertThat(new HashSet<>(handed)).as("handed out twice").hasSameSizeAs(handed);
    assertThat(rows(d, true))
        .as("claimed rows are exactly the keys handed out")
        .isEqualTo(new HashSet<>(handed));
    assertThat(rows(d, false)).as("nothing left after the reset").isEmpty();
    JsonNode audit =
        KeysApi.ok(
                instances
                    .get(0)
                    .http
                    .get(
                        "/_keydir/admin/v1/audit?user_id=" + d.userId.replace("@", "%40"),
                        TestKeydir.ADMIN_TOKEN))
            .json()
            .at("/entries/0/details");
    assertThat(handed.size() + audit.get("one_time_keys_deleted").asInt())
        .as("handed out + deleted = uploaded")
        .isEqualTo(300);
  }

  @RepeatedTest(5)
  void a_reset_racing_an_upload_deletes_all_of_it_or_none_of_it_never_part() throws Exception {
    SigningDevice d = KeysApi.registered(instances.get(0));
    KeysApi.ok(instances.get(0).http.post(UPLOAD, d.token, d.oneTimeKeys(ids("OLD", 0, 50))));
    CountDownLatch go = new CountDownLatch(1);
    Future<Http.Response> upload =
        pool.submit(
            () -> {
              if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                throw new AssertionError("start signal never came");
              return instances.get(1).http.post(UPLOAD, d.token, d.oneTimeKeys(ids("NEW", 0, 200)));
            });
    Future<Http.Response> reset =
        pool.submit(
            () -> {
              if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                throw new AssertionError("start signal never came");
              Thread.sleep(ThreadLocalRandom.current().nextInt(3));
              return instances.get(2).http.post(KeyResetTest.V3_RESET, d.token, "{\"all\":true}");
            });
    go.countDown();
    KeysApi.ok(upload.get(30, TimeUnit.SECONDS));
    int afterReset =
        KeysApi.ok(reset.get(30, TimeUnit.SECONDS))
            .json()
            .at("/device_one_time_keys_count/signed_curve25519")
            .asInt();
    Set<String> left = rows(d, false);
    assertThat(left).allMatch(id -> id.startsWith("signed_curve25519:NEW"));
    assertThat(left.size()).isIn(0, 200);
    assertThat(afterReset).as("counts right after a reset-all").isZero();
    int deleted =
        KeysApi.ok(
                instances
                    .get(0)
                    .http
                    .get(
                        "/_keydir/admin/v1/audit?user_id=" + d.userId.replace("@", "%40"),
                        TestKeydir.ADMIN_TOKEN))
            .json()
            .at("/entries/0/details/one_time_keys_deleted")
            .asInt();
    // either the upload came first and the reset deleted it too, or it came after and was untouched
    assertThat(deleted).isEqualTo(left.isEmpty() ? 250 : 50);
  }
}
