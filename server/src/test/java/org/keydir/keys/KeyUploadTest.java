package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;
import static org.keydir.keys.KeysApi.claim;
import static org.keydir.keys.KeysApi.claimedKey;
import static org.keydir.keys.KeysApi.count;
import static org.keydir.keys.KeysApi.newDevice;
import static org.keydir.keys.KeysApi.ok;
import static org.keydir.keys.KeysApi.queryDevice;
import static org.keydir.keys.KeysApi.registered;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
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

@DisplayName("POST /keys/upload")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyUploadTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private TestKeydir kd;

  @BeforeAll
  void start() {
    kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_LIMITS_MAX_OTKS_PER_ALGORITHM",
                "20",
                "KEYDIR_LIMITS_MAX_KEYS_PER_UPLOAD",
                "10"));
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  private Http.Response upload(SigningDevice d, ObjectNode body) {
    return kd.http.post(UPLOAD, d.token, body);
  }

  private void assertNothingStored(SigningDevice d) {
    assertThat(queryDevice(kd, d.token, d).isMissingNode()).as("device keys stored").isTrue();
    assertThat(count(kd, d)).isZero();
  }

  @Test
  void an_empty_body_returns_the_counts_with_signed_curve25519_always_present() {
    SigningDevice d = newDevice(kd);
    Http.Response r = ok(kd.http.post(UPLOAD, d.token, "{}"));
    assertThat(r.json().get("one_time_key_counts").toString())
        .isEqualTo("{\"signed_curve25519\":0}");
  }

  @Test
  void device_keys_and_one_time_keys_in_one_upload_are_stored_and_counted() {
    SigningDevice d = newDevice(kd);
    ObjectNode body = d.oneTimeKeys("AAAA", "AAAB", "AAAC");
    body.set("device_keys", d.deviceKeys());
    Http.Response r = ok(upload(d, body));
    assertThat(r.json().at("/one_time_key_counts/signed_curve25519").asInt()).isEqualTo(3);
    assertThat(d.verifies(queryDevice(kd, d.token, d))).isTrue();
  }

  @Nested
  class Device_keys {
    @Test
    void must_name_the_calling_user_and_device_and_nothing_is_stored_otherwise() {
      SigningDevice d = newDevice(kd);
      SigningDevice other = new SigningDevice("@someone:test.keydir", d.deviceId, d.token);
      ObjectNode body = d.oneTimeKeys("A1");
      body.set("device_keys", other.deviceKeys());
      Http.Response r = upload(d, body);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("user_id");
      SigningDevice otherDevice = new SigningDevice(d.userId, "OTHERDEV", d.token);
      body.set("device_keys", otherDevice.deviceKeys());
      assertThat(upload(d, body).status()).isEqualTo(400);
      assertNothingStored(d);
    }

    @Test
    void must_have_algorithms_and_keys_holding_the_devices_ed25519_and_curve25519() {
      SigningDevice d = newDevice(kd);
      for (String field : new String[] {"algorithms", "keys"}) {
        ObjectNode dk = d.deviceKeys();
        dk.remove(field);
        Http.Response r = upload(d, (ObjectNode) F.objectNode().set("device_keys", d.sign(dk)));
        assertThat(r.status()).as(field).isEqualTo(400);
        assertThat(r.text()).contains(field);
      }
      ObjectNode dk = d.deviceKeys();
      ((ObjectNode) dk.get("keys")).remove("curve25519:" + d.deviceId);
      Http.Response r = upload(d, (ObjectNode) F.objectNode().set("device_keys", d.sign(dk)));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("curve25519:" + d.deviceId);
      assertNothingStored(d);
    }

    @Test
    void must_be_self_signed_by_their_own_ed25519_key() {
      SigningDevice d = newDevice(kd);
      ObjectNode dk = d.deviceKeys();
      dk.put("extra", "changed after signing");
      Http.Response r = upload(d, (ObjectNode) F.objectNode().set("device_keys", dk));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_INVALID_SIGNATURE");
      assertNothingStored(d);
    }

    @Test
    void null_or_a_non_object_is_M_BAD_JSON() {
      SigningDevice d = newDevice(kd);
      for (String body :
          new String[] {
            "{\"device_keys\":null}",
            "{\"device_keys\":[]}",
            "{\"device_keys\":\"x\"}",
            "{\"one_time_keys\":null}",
            "{\"one_time_keys\":[1]}",
            "{\"fallback_keys\":null}"
          }) {
        Http.Response r = kd.http.post(UPLOAD, d.token, body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.errcode()).as(body).isEqualTo("M_BAD_JSON");
      }
    }

    @Test
    void a_device_identity_key_never_changes() {
      SigningDevice d = registered(kd);
      SigningDevice impostor =
          new SigningDevice(d.userId, d.deviceId, d.token); // new ed25519 and curve25519
      Http.Response r =
          upload(d, (ObjectNode) F.objectNode().set("device_keys", impostor.deviceKeys()));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("identity keys");
      assertThat(queryDevice(kd, d.token, d).at("/keys/ed25519:" + d.deviceId).asText())
          .isEqualTo(d.ed25519());
    }

    @Test
    void re_uploading_the_same_device_keys_is_a_no_op_success() {
      SigningDevice d = registered(kd);
      ok(upload(d, (ObjectNode) F.objectNode().set("device_keys", d.deviceKeys())));
      assertThat(d.verifies(queryDevice(kd, d.token, d))).isTrue();
    }
  }

  @Nested
  class One_time_keys {
    @Test
    void
        a_signed_key_with_a_bad_signature_is_M_INVALID_SIGNATURE_naming_it_and_nothing_is_stored() {
      SigningDevice d = newDevice(kd);
      ObjectNode body = d.oneTimeKeys("GOOD1", "BAD", "GOOD2");
      ((ObjectNode) body.at("/one_time_keys/signed_curve25519:BAD"))
          .put("key", SigningDevice.randomKey());
      body.set("device_keys", d.deviceKeys());
      Http.Response r = upload(d, body);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_INVALID_SIGNATURE");
      assertThat(r.text()).contains("signed_curve25519:BAD");
      assertNothingStored(d);
    }

    @Test
    void a_signed_key_without_signatures_is_rejected() {
      SigningDevice d = registered(kd);
      Http.Response r =
          kd.http.post(
              UPLOAD,
              d.token,
              "{\"one_time_keys\":{\"signed_curve25519:X\":{\"key\":\""
                  + SigningDevice.randomKey()
                  + "\"}}}");
      assertThat(r.errcode()).isEqualTo("M_INVALID_SIGNATURE");
      assertThat(count(kd, d)).isZero();
    }

    @Test
    void
        signed_keys_for_a_device_without_known_ed25519_key_are_400_telling_to_upload_device_keys_first() {
      SigningDevice d = newDevice(kd);
      Http.Response r = upload(d, d.oneTimeKeys("A"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("device_keys first");
      assertNothingStored(d);
    }

    @Test
    void keys_of_an_unsigned_algorithm_are_stored_without_a_signature_check() {
      SigningDevice d = newDevice(kd);
      Http.Response r =
          ok(
              kd.http.post(
                  UPLOAD,
                  d.token,
                  "{\"one_time_keys\":{\"curve25519:U1\":\"" + SigningDevice.randomKey() + "\"}}"));
      assertThat(r.json().at("/one_time_key_counts/curve25519").asInt()).isEqualTo(1);
      assertThat(r.json().at("/one_time_key_counts/signed_curve25519").asInt()).isZero();
    }

    @Test
    void malformed_key_ids_and_values_are_M_BAD_JSON() {
      SigningDevice d = registered(kd);
      String key = SigningDevice.randomKey();
      for (String otks :
          new String[] {
            "{\"nocolon\":\"" + key + "\"}",
            "{\":x\":\"" + key + "\"}",
            "{\"curve25519:\":\"" + key + "\"}",
            "{\"signed_curve25519:S\":\"" + key + "\"}",
            "{\"signed_curve25519:S\":{\"key\":5}}",
            "{\"curve25519:N\":7}",
            "{\"curve25519:N\":null}",
            "{\"signed_curve25519:F\":{\"key\":\"" + key + "\",\"n\":1.5,\"signatures\":{}}}"
          }) {
        Http.Response r = kd.http.post(UPLOAD, d.token, "{\"one_time_keys\":" + otks + "}");
        assertThat(r.status()).as(otks).isEqualTo(400);
        assertThat(r.errcode()).as(otks).isEqualTo("M_BAD_JSON");
      }
      assertThat(count(kd, d)).isZero();
    }

    @Test
    void re_uploading_an_identical_key_reordered_and_with_whitespace_is_a_no_op_success() {
      SigningDevice d = registered(kd);
      ObjectNode body = d.oneTimeKeys("SAME");
      ok(upload(d, body));
      ObjectNode key = (ObjectNode) body.at("/one_time_keys/signed_curve25519:SAME");
      String reordered =
          "{ \"one_time_keys\" : { \"signed_curve25519:SAME\" : { \"signatures\" : "
              + key.get("signatures")
              + " ,\n \"key\" : \""
              + key.get("key").asText()
              + "\" } } }";
      Http.Response r = ok(kd.http.post(UPLOAD, d.token, reordered));
      assertThat(r.json().at("/one_time_key_counts/signed_curve25519").asInt()).isEqualTo(1);
    }

    @Test
    void different_content_for_an_existing_id_is_M_INVALID_PARAM_naming_it_and_nothing_is_stored() {
      SigningDevice d = registered(kd);
      ok(upload(d, d.oneTimeKeys("DUP")));
      Http.Response r = upload(d, d.oneTimeKeys("NEW1", "DUP", "NEW2"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_INVALID_PARAM");
      assertThat(r.text()).contains("signed_curve25519:DUP");
      assertThat(count(kd, d)).isEqualTo(1);
    }

    @Test
    void a_claimed_key_id_is_never_stored_again_even_when_re_uploaded() {
      SigningDevice d = registered(kd);
      ObjectNode body = d.oneTimeKeys("ONCE");
      ok(upload(d, body));
      SigningDevice claimer = newDevice(kd);
      assertThat(claimedKey(claim(kd, claimer.token, d), d).getKey())
          .isEqualTo("signed_curve25519:ONCE");
      // the identical key again, then a different key under the same id: both skipped, not stored
      Http.Response same = ok(upload(d, body));
      assertThat(same.json().at("/one_time_key_counts/signed_curve25519").asInt()).isZero();
      ok(upload(d, d.oneTimeKeys("ONCE")));
      assertThat(count(kd, d)).isZero();
      assertThat(claimedKey(claim(kd, claimer.token, d), d)).isNull();
    }

    @Test
    void more_keys_than_the_per_request_cap_is_M_LIMIT_EXCEEDED_and_nothing_is_stored() {
      SigningDevice d = registered(kd);
      String[] ids = new String[11];
      for (int i = 0; i < ids.length; i++) ids[i] = "K" + i;
      Http.Response r = upload(d, d.oneTimeKeys(ids));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
      assertThat(count(kd, d)).isZero();
    }

    @Test
    void more_stored_keys_than_the_per_device_cap_is_M_LIMIT_EXCEEDED_and_nothing_more_is_stored() {
      SigningDevice d = registered(kd);
      ok(upload(d, d.oneTimeKeys("A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9")));
      ok(upload(d, d.oneTimeKeys("B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9")));
      Http.Response r = upload(d, d.oneTimeKeys("C0"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
      assertThat(count(kd, d)).isEqualTo(20);
    }

    @Test
    void one_time_keys_and_fallback_keys_are_separate_namespaces() {
      SigningDevice d = registered(kd);
      ObjectNode body = d.oneTimeKeys("AAAAAAAAAAA");
      body.putObject("fallback_keys").set("signed_curve25519:AAAAAAAAAAA", d.signedKey(true));
      ok(upload(d, body));
      assertThat(count(kd, d)).isEqualTo(1);
    }
  }
}
