package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("One request's cost is bounded and cannot starve the others")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestCostTest {
  static final String CLAIM = "/_matrix/client/v3/keys/claim";
  static final String UPLOAD = "/_matrix/client/v3/keys/upload";

  static String claimOf(String prefix, int devices) {
    StringBuilder b = new StringBuilder("{\"one_time_keys\":{");
    for (int i = 0; i < devices; i++) {
      b.append(i == 0 ? "" : ",")
          .append("\"@")
          .append(prefix)
          .append(i)
          .append(":test.keydir\":{\"D\":\"signed_curve25519\"}");
    }
    return b.append("}}").toString();
  }

  @Test
  void
      twenty_concurrent_claims_of_4000_made_up_devices_answer_without_a_500_and_others_are_still_served()
          throws Exception {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      SigningDevice victim = new SigningDevice(kd.createDevice("victim", "V"));
      assertThat(
              kd.http
                  .post(
                      UPLOAD,
                      victim.token,
                      JsonNodeFactory.instance.objectNode().set("device_keys", victim.deviceKeys()))
                  .status())
          .isEqualTo(200);
      TestKeydir.Device attacker = kd.createDevice("attacker", "A");
      String big = claimOf("nobody", 4_000);
      List<CompletableFuture<Http.Response>> flood = new ArrayList<>();
      for (int i = 0; i < 20; i++)
        flood.add(CompletableFuture.supplyAsync(() -> kd.http.post(CLAIM, attacker.token(), big)));
      long t0 = System.nanoTime();
      Http.Response meanwhile =
          kd.http.post(
              "/_matrix/client/v3/keys/query",
              victim.token,
              "{\"device_keys\":{\"" + victim.userId + "\":[]}}");
      long meanwhileMs = (System.nanoTime() - t0) / 1_000_000;
      for (var f : flood) {
        Http.Response r = f.get(120, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
      }
      assertThat(meanwhile.status()).as(meanwhile.toString()).isEqualTo(200);
      assertThat(meanwhileMs).as("another client's query during the flood, ms").isLessThan(10_000);
    }
  }

  @Test
  void a_claim_or_query_naming_too_many_devices_or_users_is_refused_before_any_work() {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_LIMITS_MAX_DEVICES_PER_CLAIM",
                "100",
                "KEYDIR_LIMITS_MAX_USERS_PER_QUERY",
                "100"))) {
      TestKeydir.Device d = kd.createDevice("greedy", "G");
      Http.Response claim = kd.http.post(CLAIM, d.token(), claimOf("x", 101));
      assertThat(claim.status()).isEqualTo(400);
      assertThat(claim.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
      StringBuilder q = new StringBuilder("{\"device_keys\":{");
      for (int i = 0; i < 101; i++)
        q.append(i == 0 ? "" : ",").append("\"@x").append(i).append(":test.keydir\":[]");
      Http.Response query = kd.http.post("/_matrix/client/v3/keys/query", d.token(), q + "}}");
      assertThat(query.status()).isEqualTo(400);
      assertThat(query.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
      assertThat(kd.http.post(CLAIM, d.token(), claimOf("x", 100)).status()).isEqualTo(200);
    }
  }

  @Test
  void a_device_cannot_escape_the_key_cap_with_made_up_algorithm_names() {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_LIMITS_MAX_OTKS_PER_ALGORITHM",
                "10",
                "KEYDIR_LIMITS_MAX_KEYS_PER_UPLOAD",
                "10",
                "KEYDIR_LIMITS_MAX_OTKS_PER_DEVICE",
                "25",
                "KEYDIR_LIMITS_MAX_ALGORITHMS_PER_DEVICE",
                "4"))) {
      SigningDevice d = new SigningDevice(kd.createDevice("algo", "AL"));
      assertThat(
              kd.http
                  .post(
                      UPLOAD,
                      d.token,
                      JsonNodeFactory.instance.objectNode().set("device_keys", d.deviceKeys()))
                  .status())
          .isEqualTo(200);
      int stored = 0;
      int refusedAt = -1;
      for (int a = 0; a < 6 && refusedAt < 0; a++) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode otks = body.putObject("one_time_keys");
        for (int i = 0; i < 10; i++)
          otks.put("alg" + a + ":k" + i, SigningDevice.randomKey()); // unsigned: free names
        Http.Response r = kd.http.post(UPLOAD, d.token, body);
        if (r.status() == 200) {
          stored += 10;
        } else {
          assertThat(r.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
          refusedAt = a;
        }
      }
      assertThat(stored).as("keys stored over all algorithms").isLessThanOrEqualTo(25);
      ObjectNode fifth = JsonNodeFactory.instance.objectNode();
      ObjectNode fallback = fifth.putObject("fallback_keys");
      for (int a = 0; a < 5; a++) fallback.put("fb" + a + ":k", SigningDevice.randomKey());
      assertThat(kd.http.post(UPLOAD, d.token, fifth).errcode())
          .as("five algorithms at once")
          .isEqualTo("M_LIMIT_EXCEEDED");
    }
  }

  @Test
  void the_admin_listing_of_a_user_with_1700_devices_is_one_statement_and_answers() {
    String db = TestDatabase.fresh();
    try (TestKeydir kd = TestKeydir.start(db)) {
      kd.createDevice("crowd", "D0");
      TestDatabase.execute(
          db,
          "INSERT INTO devices (user_id, device_id, created_ts) "
              + "SELECT '@crowd:test.keydir', 'D' || g, 0 FROM generate_series(1, 1700) g");
      long t0 = System.nanoTime();
      Http.Response r =
          kd.http.get("/_keydir/admin/v1/users/@crowd:test.keydir/devices", TestKeydir.ADMIN_TOKEN);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().path("devices").size()).isEqualTo(1701);
      assertThat((System.nanoTime() - t0) / 1_000_000).as("listing time, ms").isLessThan(10_000);
    }
  }
}
