package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Several keydir instances on one database, many concurrent clients, randomised interleavings, and
 * a check that would catch a double hand-out or a lost key.
 */
@DisplayName("Concurrent claims and uploads on three keydir instances")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentClaimsTest {
  private static final int CLAIMERS = 48;
  private final List<TestKeydir> instances = new ArrayList<>();
  private ExecutorService pool;

  @BeforeAll
  void start() {
    String db = TestDatabase.fresh();
    for (int i = 0; i < 3; i++) instances.add(TestKeydir.start(db));
    pool = Executors.newFixedThreadPool(CLAIMERS + 4);
  }

  @AfterAll
  void stop() {
    pool.shutdownNow();
    instances.forEach(TestKeydir::close);
  }

  private Http anyInstance() {
    return instances.get(ThreadLocalRandom.current().nextInt(instances.size())).http;
  }

  private static String claimBody(SigningDevice d) {
    return "{\"one_time_keys\":{\""
        + d.userId
        + "\":{\""
        + d.deviceId
        + "\":\"signed_curve25519\"}}}";
  }

  /** Ids of the keys the database still holds, available, for the device. */
  private Set<String> stillStored(SigningDevice d) {
    Set<String> out = new HashSet<>();
    instances
        .get(0)
        .keydir
        .database()
        .pool()
        .preparedQuery(
            "SELECT key_id FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND claimed_ts IS NULL")
        .execute(io.vertx.sqlclient.Tuple.of(d.userId, d.deviceId))
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await()
        .forEach(r -> out.add("signed_curve25519:" + r.getString("key_id")));
    return out;
  }

  @RepeatedTest(3)
  void no_key_is_handed_out_twice_and_every_uploaded_key_is_handed_out_once_or_still_stored()
      throws Exception {
    TestKeydir first = instances.get(0);
    SigningDevice target = KeysApi.registered(first);
    ObjectNode fb = JsonNodeFactory.instance.objectNode();
    fb.putObject("fallback_keys").set("signed_curve25519:FALLBACK", target.signedKey(true));
    KeysApi.ok(first.http.post(UPLOAD, target.token, fb));
    SigningDevice claimer = KeysApi.newDevice(first);

    Set<String> uploaded = ConcurrentHashSet();
    ConcurrentLinkedQueue<String> handedOut = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> fallbacks = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    // 100 keys before the race, 200 more uploaded in batches of 10 while 48 clients claim 8 times
    // each
    uploadBatch(target, 0, 100, uploaded);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> work = new ArrayList<>();
    work.add(
        pool.submit(
            () -> {
              if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                throw new AssertionError("start signal never came");
              for (int b = 0; b < 20; b++) uploadBatch(target, 100 + b * 10, 10, uploaded);
              return null;
            }));
    for (int c = 0; c < CLAIMERS; c++) {
      work.add(
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                for (int i = 0; i < 8; i++) {
                  Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                  Http.Response r =
                      anyInstance().post(KeysApi.CLAIM, claimer.token, claimBody(target));
                  if (r.status() != 200) {
                    problems.add(r.toString());
                    continue;
                  }
                  JsonNode keys =
                      r.json()
                          .at(
                              "/one_time_keys/"
                                  + target.userId.replace("/", "~1")
                                  + "/"
                                  + target.deviceId);
                  if (keys.isMissingNode() || keys.size() != 1) {
                    problems.add("a claim got nothing although a fallback key exists: " + r.text());
                    continue;
                  }
                  String id = keys.fieldNames().next();
                  if (keys.get(id).path("fallback").asBoolean(false)) fallbacks.add(id);
                  else handedOut.add(id);
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);

    assertThat(problems).isEmpty();
    List<String> handed = new ArrayList<>(handedOut);
    KeysApi.assertEachKeyHandedOutOnceOrStored(handed, stillStored(target), uploaded);
    assertThat(handed.size() + fallbacks.size()).isEqualTo(CLAIMERS * 8);
  }

  @Test
  void under_contention_no_claimer_falls_back_or_gets_nothing_while_one_time_keys_remain()
      throws Exception {
    TestKeydir first = instances.get(0);
    SigningDevice target = KeysApi.registered(first);
    ObjectNode fb = JsonNodeFactory.instance.objectNode();
    fb.putObject("fallback_keys").set("signed_curve25519:FALLBACK", target.signedKey(true));
    KeysApi.ok(first.http.post(UPLOAD, target.token, fb));
    SigningDevice claimer = KeysApi.newDevice(first);
    Set<String> uploaded = ConcurrentHashSet();
    for (int b = 0; b < 20; b++) uploadBatch(target, b * 10, 10, uploaded); // 200 keys, 192 claims
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
    List<Future<?>> work = new ArrayList<>();
    for (int c = 0; c < CLAIMERS; c++) {
      work.add(
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                for (int i = 0; i < 4; i++) {
                  JsonNode keys =
                      KeysApi.ok(
                              anyInstance().post(KeysApi.CLAIM, claimer.token, claimBody(target)))
                          .json()
                          .at("/one_time_keys/" + target.userId + "/" + target.deviceId);
                  got.add(keys.size() == 1 ? keys.fieldNames().next() : "nothing");
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);
    assertThat(got).hasSize(CLAIMERS * 4).doesNotContain("nothing", "signed_curve25519:FALLBACK");
    assertThat(new HashSet<>(got)).hasSize(CLAIMERS * 4);
    assertThat(stillStored(target)).hasSize(200 - CLAIMERS * 4);
  }

  private void uploadBatch(SigningDevice d, int from, int n, Set<String> uploaded) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) ids[i] = String.format("K%05d", from + i);
    Http.Response r = anyInstance().post(UPLOAD, d.token, d.oneTimeKeys(ids));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    for (String id : ids) uploaded.add("signed_curve25519:" + id);
  }

  private static Set<String> ConcurrentHashSet() {
    return java.util.concurrent.ConcurrentHashMap.newKeySet();
  }

  @Test
  void a_re_upload_of_a_key_racing_its_claim_never_leaves_it_stored_after_it_was_handed_out()
      throws Exception {
    SigningDevice target = KeysApi.registered(instances.get(0));
    SigningDevice claimer = KeysApi.newDevice(instances.get(0));
    for (int round = 0; round < 30; round++) {
      ObjectNode body = target.oneTimeKeys("RACE" + round);
      KeysApi.ok(instances.get(0).http.post(UPLOAD, target.token, body));
      CountDownLatch go = new CountDownLatch(1);
      Future<Http.Response> claim =
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                return instances.get(1).http.post(KeysApi.CLAIM, claimer.token, claimBody(target));
              });
      Future<Http.Response> reupload =
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                Thread.sleep(ThreadLocalRandom.current().nextInt(2));
                return instances.get(2).http.post(UPLOAD, target.token, body);
              });
      go.countDown();
      JsonNode got = KeysApi.ok(claim.get(30, TimeUnit.SECONDS)).json();
      assertThat(reupload.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(got.at("/one_time_keys").toString()).contains("RACE" + round);
      assertThat(stillStored(target)).as("round %d", round).isEmpty();
    }
  }

  @Test
  void of_two_concurrent_uploads_of_one_key_id_with_different_content_exactly_one_wins()
      throws Exception {
    SigningDevice target = KeysApi.registered(instances.get(0));
    for (int round = 0; round < 20; round++) {
      ObjectNode a = target.oneTimeKeys("X" + round);
      ObjectNode b = target.oneTimeKeys("X" + round);
      CountDownLatch go = new CountDownLatch(1);
      Future<Http.Response> ra =
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                return instances.get(1).http.post(UPLOAD, target.token, a);
              });
      Future<Http.Response> rb =
          pool.submit(
              () -> {
                if (!go.await(30, java.util.concurrent.TimeUnit.SECONDS))
                  throw new AssertionError("start signal never came");
                return instances.get(2).http.post(UPLOAD, target.token, b);
              });
      go.countDown();
      int sa = ra.get(30, TimeUnit.SECONDS).status();
      int sb = rb.get(30, TimeUnit.SECONDS).status();
      assertThat(List.of(sa, sb)).containsExactlyInAnyOrder(200, 400);
      JsonNode winner = (sa == 200 ? a : b).at("/one_time_keys/signed_curve25519:X" + round);
      JsonNode claimed =
          KeysApi.ok(instances.get(0).http.post(KeysApi.CLAIM, target.token, claimBody(target)))
              .json()
              .at(
                  "/one_time_keys/"
                      + target.userId
                      + "/"
                      + target.deviceId
                      + "/signed_curve25519:X"
                      + round);
      assertThat(claimed).isEqualTo(winner);
    }
  }
}
