package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.keydir.crypto.CanonicalJson;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * The cross-signing vectors of a real client (matrix-sdk-crypto 0.19.1,
 * ../shared/vectors/cross-signing), replayed in their README's order with the answers it lists,
 * with "nothing stored" checked by a query after each negative vector.
 */
@DisplayName("Cross-signing: a real client's requests, replayed")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossSigningVectorsTest {
  private static final Path DIR =
      Path.of("server", "src", "test", "resources", "vectors", "cross-signing");
  private static final String DEVICE_SIGNING = "/_matrix/client/v3/keys/device_signing/upload";
  private static final String SIGNATURES = "/_matrix/client/v3/keys/signatures/upload";
  private TestKeydir kd;
  private TestKeydir.Device alice;
  private TestKeydir.Device bob;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_SERVER_NAME", "example.org"));
    alice = kd.createDevice("alice", "ALICEDEV");
    bob = kd.createDevice("bob", "BOBDEV");
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  static String vector(String name) throws Exception {
    return Files.readString(DIR.resolve(name));
  }

  static JsonNode json(String name) throws Exception {
    return CanonicalJson.parse(vector(name));
  }

  Http.Response post(String path, TestKeydir.Device d, String file) throws Exception {
    return kd.http.post(path, d.token(), vector(file));
  }

  JsonNode query(TestKeydir.Device by, String user) {
    Http.Response r =
        kd.http.post(
            "/_matrix/client/v3/keys/query", by.token(), "{\"device_keys\":{\"" + user + "\":[]}}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  @Test
  @Order(1)
  void step_1_and_2_alice_uploads_her_device_then_her_first_cross_signing_keys_without_uia()
      throws Exception {
    String p0 = DeviceListChangesTest.position(kd);
    assertThat(post("/_matrix/client/v3/keys/upload", alice, "alice_keys_upload.json").status())
        .isEqualTo(200);
    String p1 = DeviceListChangesTest.position(kd);
    Http.Response r = post(DEVICE_SIGNING, alice, "alice_device_signing_upload.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().isEmpty()).isTrue();
    assertThat(DeviceListChangesTest.changed(kd, bob.token(), p0, p1))
        .containsExactly("@alice:example.org");
    assertThat(
            DeviceListChangesTest.changed(kd, bob.token(), p1, DeviceListChangesTest.position(kd)))
        .containsExactly("@alice:example.org");
  }

  @Test
  @Order(3)
  void
      step_3_and_4_a_bad_signature_is_a_failure_and_the_stored_one_stays_then_the_good_duplicate_is_accepted()
          throws Exception {
    JsonNode before = query(alice, "@alice:example.org").path("device_keys");
    Http.Response bad = post(SIGNATURES, alice, "neg_alice_signatures_upload_altered.json");
    assertThat(bad.status()).as(bad.toString()).isEqualTo(200);
    assertThat(
            bad.json()
                .path("failures")
                .path("@alice:example.org")
                .path("ALICEDEV")
                .path("errcode")
                .asText())
        .isEqualTo("M_INVALID_SIGNATURE");
    assertThat(query(alice, "@alice:example.org").path("device_keys")).isEqualTo(before);
    Http.Response good = post(SIGNATURES, alice, "alice_signatures_upload.json");
    assertThat(good.status()).as(good.toString()).isEqualTo(200);
    assertThat(good.json().path("failures").isEmpty()).as(good.toString()).isTrue();
    assertThat(query(alice, "@alice:example.org").path("device_keys")).isEqualTo(before);
  }

  @Test
  @Order(5)
  void step_5_to_8_bob_s_broken_uploads_store_nothing_and_his_good_one_needs_no_uia()
      throws Exception {
    assertThat(post("/_matrix/client/v3/keys/upload", bob, "bob_keys_upload.json").status())
        .isEqualTo(200);
    for (String bad :
        new String[] {
          "neg_bob_device_signing_ssk_altered.json", "neg_bob_device_signing_ssk_unsigned.json"
        }) {
      Http.Response r = post(DEVICE_SIGNING, bob, bad);
      assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
      assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_SIGNATURE");
      assertThat(query(bob, "@bob:example.org").path("master_keys").has("@bob:example.org"))
          .as("stored after " + bad)
          .isFalse();
    }
    assertThat(post(DEVICE_SIGNING, bob, "bob_device_signing_upload.json").status()).isEqualTo(200);
  }

  @Test
  @Order(9)
  void step_9_to_12_bob_signs_his_device_and_alice_s_master_bad_ones_reported_and_stored_nowhere()
      throws Exception {
    String aliceMaster = json("keys.json").path("alice").path("master").asText();
    JsonNode bobBefore = query(bob, "@bob:example.org").path("device_keys");
    Http.Response bad = post(SIGNATURES, bob, "neg_bob_signatures_upload_altered.json");
    assertThat(bad.json().path("failures").path("@bob:example.org").has("BOBDEV"))
        .as(bad.toString())
        .isTrue();
    assertThat(query(bob, "@bob:example.org").path("device_keys")).isEqualTo(bobBefore);
    Http.Response good = post(SIGNATURES, bob, "bob_signatures_upload.json");
    assertThat(good.json().path("failures").isEmpty()).as(good.toString()).isTrue();
    String bobSsk = json("keys.json").path("bob").path("self_signing").asText();
    assertThat(
            query(alice, "@bob:example.org")
                .path("device_keys")
                .path("@bob:example.org")
                .path("BOBDEV")
                .path("signatures")
                .path("@bob:example.org")
                .has("ed25519:" + bobSsk))
        .isTrue();

    JsonNode masterBefore = query(bob, "@alice:example.org").path("master_keys");
    Http.Response badMaster = post(SIGNATURES, bob, "neg_bob_signs_alice_master_altered.json");
    assertThat(badMaster.json().path("failures").path("@alice:example.org").has(aliceMaster))
        .as(badMaster.toString())
        .isTrue();
    assertThat(query(bob, "@alice:example.org").path("master_keys")).isEqualTo(masterBefore);
    String beforeVerify = DeviceListChangesTest.position(kd);
    Http.Response verify = post(SIGNATURES, bob, "bob_signs_alice_master.json");
    assertThat(verify.json().path("failures").isEmpty()).as(verify.toString()).isTrue();
    assertThat(
            DeviceListChangesTest.changed(
                kd, bob.token(), beforeVerify, DeviceListChangesTest.position(kd)))
        .as("/keys/changes tells bob to re-query alice after he verified her")
        .contains("@alice:example.org");
  }

  @Test
  @Order(13)
  void step_13_an_identical_re_upload_is_200_without_uia_and_changes_nothing() throws Exception {
    JsonNode before = query(alice, "@alice:example.org");
    Http.Response r = post(DEVICE_SIGNING, alice, "alice_device_signing_upload.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(query(alice, "@alice:example.org").path("master_keys"))
        .isEqualTo(before.path("master_keys"));
  }

  @Test
  @Order(14)
  void step_14_another_master_key_needs_user_interactive_auth_and_the_stored_one_stays()
      throws Exception {
    Http.Response r = post(DEVICE_SIGNING, alice, "neg_alice_device_signing_other_master.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.json().path("flows").isArray()).isTrue();
    assertThat(r.json().path("session").asText()).isNotEmpty();
    assertThat(r.json().has("params")).isTrue();
    String master = json("keys.json").path("alice").path("master").asText();
    assertThat(
            query(alice, "@alice:example.org")
                .path("master_keys")
                .path("@alice:example.org")
                .path("keys")
                .has("ed25519:" + master))
        .isTrue();
  }

  @Test
  @Order(15)
  void
      queries_return_the_keys_as_the_client_accepted_them_and_each_user_signing_signature_only_to_its_signer()
          throws Exception {
    JsonNode byAlice = query(alice, "@alice:example.org");
    JsonNode expected = json("response_query_alice_by_alice.json");
    for (String field : new String[] {"master_keys", "self_signing_keys", "user_signing_keys"}) {
      assertThat(byAlice.path(field)).as(field).isEqualTo(expected.path(field));
    }
    JsonNode byBob = query(bob, "@alice:example.org");
    JsonNode expectedByBob = json("response_query_alice_by_bob_after_verify.json"); // after step 12
    for (String field : new String[] {"master_keys", "self_signing_keys", "user_signing_keys"}) {
      assertThat(byBob.path(field)).as(field).isEqualTo(expectedByBob.path(field));
    }
    // a third user sees neither alice's user-signing key nor bob's signature on her master key
    TestKeydir.Device carol = kd.createDevice("carol", "CAROLDEV");
    JsonNode byCarol = query(carol, "@alice:example.org");
    assertThat(byCarol.path("master_keys")).isEqualTo(expected.path("master_keys"));
    assertThat(byCarol.path("user_signing_keys").has("@alice:example.org")).isFalse();
    // the self-signing signature that came with alice's device keys (step 1) is kept and returned
    String ssk = json("keys.json").path("alice").path("self_signing").asText();
    assertThat(
            byBob
                .path("device_keys")
                .path("@alice:example.org")
                .path("ALICEDEV")
                .path("signatures")
                .path("@alice:example.org")
                .has("ed25519:" + ssk))
        .isTrue();
  }
}
