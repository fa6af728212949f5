package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.CLAIM;
import static org.keydir.keys.KeysApi.UPLOAD;
import static org.keydir.keys.KeysApi.claim;
import static org.keydir.keys.KeysApi.claimedKey;
import static org.keydir.keys.KeysApi.count;
import static org.keydir.keys.KeysApi.newDevice;
import static org.keydir.keys.KeysApi.ok;
import static org.keydir.keys.KeysApi.registered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("POST /keys/claim")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyClaimTest {
  private TestKeydir kd;
  private SigningDevice claimer;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
    claimer = newDevice(kd);
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  private void uploadFallback(SigningDevice d, String id, ObjectNode key) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject("fallback_keys").set("signed_curve25519:" + id, key);
    ok(kd.http.post(UPLOAD, d.token, body));
  }

  private List<String> unusedFallbackAlgorithms(SigningDevice d) {
    List<String> out = new ArrayList<>();
    new org.keydir.store.FallbackKeyStore()
        .unusedAlgorithms(kd.keydir.database().pool(), d.userId, d.deviceId)
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await()
        .forEach(out::add);
    return out;
  }

  @Nested
  class When_the_device_has_one_time_keys {
    @Test
    void it_returns_the_oldest_by_upload_then_position_in_the_upload_never_by_key_id() {
      SigningDevice d = registered(kd);
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("ZZZ", "AAA", "MMM")));
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("BBB", "000")));
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 5; i++) order.add(claimedKey(claim(kd, claimer.token, d), d).getKey());
      assertThat(order)
          .containsExactly(
              "signed_curve25519:ZZZ",
              "signed_curve25519:AAA",
              "signed_curve25519:MMM",
              "signed_curve25519:BBB",
              "signed_curve25519:000");
    }

    @Test
    void the_key_is_removed_and_returned_exactly_as_stored_so_its_signature_verifies() {
      SigningDevice d = registered(kd);
      ObjectNode body = d.oneTimeKeys("SIG");
      ok(kd.http.post(UPLOAD, d.token, body));
      var claimed = claimedKey(claim(kd, claimer.token, d), d);
      assertThat(claimed.getValue()).isEqualTo(body.at("/one_time_keys/signed_curve25519:SIG"));
      assertThat(d.verifies(claimed.getValue())).isTrue();
      assertThat(count(kd, d)).isZero();
    }

    @Test
    void unknown_users_and_devices_are_omitted_and_remote_users_are_failures() {
      SigningDevice d = registered(kd);
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("K")));
      Http.Response r =
          ok(
              kd.http.post(
                  CLAIM,
                  claimer.token,
                  "{\"one_time_keys\":{"
                      + "\""
                      + d.userId
                      + "\":{\""
                      + d.deviceId
                      + "\":\"signed_curve25519\",\"NODEVICE\":\"signed_curve25519\"},"
                      + "\"@nobody:test.keydir\":{\"X\":\"signed_curve25519\"},"
                      + "\"@remote:other.example\":{\"R\":\"signed_curve25519\"}}}"));
      JsonNode keys = r.json().get("one_time_keys");
      assertThat(keys.size()).isEqualTo(1);
      assertThat(keys.get(d.userId).size()).isEqualTo(1);
      assertThat(r.json().at("/failures/other.example").isObject()).isTrue();
    }

    @Test
    void device_ids_and_algorithms_that_could_never_be_stored_name_no_device_and_are_omitted() {
      SigningDevice d = registered(kd);
      Http.Response r =
          ok(
              kd.http.post(
                  CLAIM,
                  claimer.token,
                  "{\"one_time_keys\":{\""
                      + d.userId
                      + "\":{\"\\u0000\":\"signed_curve25519\",\""
                      + d.deviceId
                      + "\":\"bad\\u0000alg\"}}}"));
      assertThat(r.json().get("one_time_keys").size()).isZero();
    }

    @Test
    void malformed_claims_are_400() {
      for (String body :
          new String[] {
            "{}",
            "{\"one_time_keys\":[]}",
            "{\"one_time_keys\":{\"@a:b\":[]}}",
            "{\"one_time_keys\":{\"@a:b\":{\"D\":5}}}",
            "{\"one_time_keys\":{\"notauser\":{}}}",
            "{\"one_time_keys\":{},\"timeout\":\"soon\"}"
          }) {
        Http.Response r = kd.http.post(CLAIM, claimer.token, body);
        assertThat(r.status()).as(body).isEqualTo(400);
      }
    }
  }

  @Nested
  class When_no_one_time_key_is_left {
    @Test
    void it_returns_the_fallback_key_marks_it_used_and_keeps_it() {
      SigningDevice d = registered(kd);
      ObjectNode fallback = d.signedKey(true);
      uploadFallback(d, "FB1", fallback);
      assertThat(unusedFallbackAlgorithms(d)).containsExactly("signed_curve25519");
      for (int i = 0; i < 3; i++) {
        var claimed = claimedKey(claim(kd, claimer.token, d), d);
        assertThat(claimed.getKey()).isEqualTo("signed_curve25519:FB1");
        assertThat(claimed.getValue()).isEqualTo(fallback);
        assertThat(d.verifies(claimed.getValue())).isTrue();
      }
      assertThat(unusedFallbackAlgorithms(d)).isEmpty();
    }

    @Test
    void one_time_keys_go_first_then_the_fallback() {
      SigningDevice d = registered(kd);
      uploadFallback(d, "FB", d.signedKey(true));
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("OTK")));
      assertThat(claimedKey(claim(kd, claimer.token, d), d).getKey())
          .isEqualTo("signed_curve25519:OTK");
      assertThat(claimedKey(claim(kd, claimer.token, d), d).getKey())
          .isEqualTo("signed_curve25519:FB");
    }

    @Test
    void re_uploading_the_identical_fallback_key_keeps_it_used_and_a_new_one_replaces_it_unused() {
      SigningDevice d = registered(kd);
      ObjectNode fallback = d.signedKey(true);
      uploadFallback(d, "FB1", fallback);
      claim(kd, claimer.token, d);
      uploadFallback(d, "FB1", fallback);
      assertThat(unusedFallbackAlgorithms(d)).isEmpty();
      ObjectNode next = d.signedKey(true);
      uploadFallback(d, "FB2", next);
      assertThat(unusedFallbackAlgorithms(d)).containsExactly("signed_curve25519");
      assertThat(claimedKey(claim(kd, claimer.token, d), d).getValue()).isEqualTo(next);
    }

    @Test
    void a_fallback_key_with_a_bad_signature_is_rejected_and_the_old_one_kept() {
      SigningDevice d = registered(kd);
      ObjectNode good = d.signedKey(true);
      uploadFallback(d, "GOOD", good);
      ObjectNode bad = d.signedKey(true);
      bad.put("key", SigningDevice.randomKey());
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.putObject("fallback_keys").set("signed_curve25519:BAD", bad);
      Http.Response r = kd.http.post(UPLOAD, d.token, body);
      assertThat(r.errcode()).isEqualTo("M_INVALID_SIGNATURE");
      assertThat(claimedKey(claim(kd, claimer.token, d), d).getValue()).isEqualTo(good);
    }

    @Test
    void with_no_fallback_either_the_device_is_absent_from_the_result() {
      SigningDevice d = registered(kd);
      Http.Response r = claim(kd, claimer.token, d);
      assertThat(ok(r).json().get("one_time_keys").size()).isZero();
    }
  }

  @Test
  void a_claim_for_many_devices_in_one_request_serves_every_device() {
    List<SigningDevice> devices = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"one_time_keys\":{");
    for (int i = 0; i < 20; i++) {
      SigningDevice d = registered(kd);
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("A", "B")));
      devices.add(d);
      body.append(i == 0 ? "" : ",")
          .append('"')
          .append(d.userId)
          .append("\":{\"")
          .append(d.deviceId)
          .append("\":\"signed_curve25519\"}");
    }
    Http.Response r = ok(kd.http.post(CLAIM, claimer.token, body.append("}}").toString()));
    for (SigningDevice d : devices) {
      assertThat(claimedKey(r, d).getKey()).isEqualTo("signed_curve25519:A");
      assertThat(count(kd, d)).isEqualTo(1);
    }
  }

  @Test
  void timeout_is_accepted() {
    assertThat(kd.http.post(CLAIM, claimer.token, "{\"one_time_keys\":{},\"timeout\":5}").status())
        .isEqualTo(200);
  }
}
