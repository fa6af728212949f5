package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Bulk claims naming many users at once, from two keydir instances, each claim naming the devices
 * in its own random order. On Citus the users spread over the shards, so each claim runs as one
 * statement per shard in one transaction: this is the double-hand-out check across shards. On plain
 * PostgreSQL it is the same check for the one-statement bulk claim.
 */
@DisplayName("Bulk claims across many users (and, on Citus, across shards)")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CrossShardClaimsTest {
  private static final int USERS = 12;
  private static final int DEVICES_EACH = 2; // so a shard's statement names several devices
  private static final int KEYS_EACH = 12;
  private static final int CLAIMERS = 12;
  private static final int ROUNDS = 4;

  @Test
  void no_key_is_handed_out_twice_every_claim_answers_every_device_and_no_key_is_lost()
      throws Exception {
    String db = TestDatabase.fresh();
    ExecutorService pool = Executors.newFixedThreadPool(CLAIMERS);
    try (TestKeydir a = TestKeydir.start(db);
        TestKeydir b = TestKeydir.start(db)) {
      List<SigningDevice> targets = new ArrayList<>();
      Set<String> uploaded = new HashSet<>();
      for (int u = 0; u < USERS * DEVICES_EACH; u++) {
        SigningDevice d =
            new SigningDevice(
                a.createDevice("cross" + (u / DEVICES_EACH), "DEV" + (u % DEVICES_EACH)));
        String[] ids = new String[KEYS_EACH];
        for (int i = 0; i < KEYS_EACH; i++) ids[i] = "X" + u + "K" + i;
        ObjectNode body = d.oneTimeKeys(ids);
        body.set("device_keys", d.deviceKeys());
        body.putObject("fallback_keys").set("signed_curve25519:FALLBACK", d.signedKey(true));
        KeysApi.ok(a.http.post(UPLOAD, d.token, body));
        for (String id : ids) uploaded.add(d.userId + "|" + d.deviceId + "|" + id);
        targets.add(d);
      }
      SigningDevice claimer = KeysApi.newDevice(a);
      ConcurrentLinkedQueue<String> handedOut = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> work = new ArrayList<>();
      for (int c = 0; c < CLAIMERS; c++) {
        work.add(
            pool.submit(
                () -> {
                  if (!go.await(30, TimeUnit.SECONDS))
                    throw new AssertionError("start signal never came");
                  for (int round = 0; round < ROUNDS; round++) {
                    List<SigningDevice> order = new ArrayList<>(targets);
                    Collections.shuffle(order, ThreadLocalRandom.current());
                    Http http = ThreadLocalRandom.current().nextBoolean() ? a.http : b.http;
                    Http.Response r = http.post(KeysApi.CLAIM, claimer.token, claimBody(order));
                    if (r.status() != 200) {
                      problems.add(r.toString());
                      continue;
                    }
                    for (SigningDevice t : targets) {
                      JsonNode keys = r.json().at("/one_time_keys").path(t.userId).path(t.deviceId);
                      if (keys.size() != 1) {
                        problems.add(
                            "no key for "
                                + t.userId
                                + " although it has a fallback key: "
                                + r.text());
                        continue;
                      }
                      String id = keys.fieldNames().next();
                      if (!keys.get(id).path("fallback").asBoolean(false))
                        handedOut.add(t.userId + "|" + t.deviceId + "|" + id.split(":")[1]);
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);

      assertThat(problems).isEmpty();
      List<String> handed = new ArrayList<>(handedOut);
      KeysApi.assertEachKeyHandedOutOnceOrStored(handed, stored(a, targets), uploaded);
      assertThat(handed)
          .hasSize(USERS * DEVICES_EACH * KEYS_EACH); // 48 claims of 24 devices exhaust all 288
    } finally {
      pool.shutdownNow();
    }
  }

  private static String claimBody(List<SigningDevice> devices) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode otk = body.putObject("one_time_keys");
    for (SigningDevice d : devices) {
      ObjectNode user =
          otk.has(d.userId) ? (ObjectNode) otk.get(d.userId) : otk.putObject(d.userId);
      user.put(d.deviceId, "signed_curve25519");
    }
    return body.toString();
  }

  private static Set<String> stored(TestKeydir kd, List<SigningDevice> targets) {
    Set<String> out = new HashSet<>();
    kd.keydir
        .database()
        .pool()
        .preparedQuery(
            "SELECT user_id, device_id, key_id FROM one_time_keys WHERE user_id = ANY($1) AND claimed_ts IS NULL")
        .execute(
            io.vertx.sqlclient.Tuple.of(
                targets.stream().map(t -> t.userId).distinct().toArray(String[]::new)))
        .timeout(30, TimeUnit.SECONDS)
        .await()
        .forEach(
            r ->
                out.add(
                    r.getString("user_id")
                        + "|"
                        + r.getString("device_id")
                        + "|"
                        + r.getString("key_id")));
    return out;
  }
}
