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
 * The cross-signing vectors of a real client (matrix-sdk-crypto 0.19.1, ../shared/vectors/cross-signing),
 * replayed in their README's order with the answers it lists. Steps 3, 4 and 9–12
 * ({@code /keys/signatures/upload}) are the next step of issue 13 and are not replayed yet.
 */
@DisplayName("Cross-signing: a real client's requests, replayed")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossSigningVectorsTest {
  private static final Path DIR = Path.of("src", "test", "resources", "vectors", "cross-signing");
  private static final String DEVICE_SIGNING = "/_matrix/client/v3/keys/device_signing/upload";
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
    Http.Response r = kd.http.post("/_matrix/client/v3/keys/query", by.token(), "{\"device_keys\":{\"" + user + "\":[]}}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  @Test
  @Order(1)
  void step_1_and_2_alice_uploads_her_device_then_her_first_cross_signing_keys_without_uia() throws Exception {
    assertThat(post("/_matrix/client/v3/keys/upload", alice, "alice_keys_upload.json").status()).isEqualTo(200);
    Http.Response r = post(DEVICE_SIGNING, alice, "alice_device_signing_upload.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().isEmpty()).isTrue();
  }

  @Test
  @Order(5)
  void step_5_to_8_bob_s_broken_uploads_store_nothing_and_his_good_one_needs_no_uia() throws Exception {
    assertThat(post("/_matrix/client/v3/keys/upload", bob, "bob_keys_upload.json").status()).isEqualTo(200);
    for (String bad : new String[] {"neg_bob_device_signing_ssk_altered.json", "neg_bob_device_signing_ssk_unsigned.json"}) {
      Http.Response r = post(DEVICE_SIGNING, bob, bad);
      assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
      assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_SIGNATURE");
      assertThat(query(bob, "@bob:example.org").path("master_keys").has("@bob:example.org")).as("stored after " + bad)
          .isFalse();
    }
    assertThat(post(DEVICE_SIGNING, bob, "bob_device_signing_upload.json").status()).isEqualTo(200);
  }

  @Test
  @Order(13)
  void step_13_an_identical_re_upload_is_200_without_uia_and_changes_nothing() throws Exception {
    JsonNode before = query(alice, "@alice:example.org");
    Http.Response r = post(DEVICE_SIGNING, alice, "alice_device_signing_upload.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(query(alice, "@alice:example.org").path("master_keys")).isEqualTo(before.path("master_keys"));
  }

  @Test
  @Order(14)
  void step_14_another_master_key_needs_user_interactive_auth_and_the_stored_one_stays() throws Exception {
    Http.Response r = post(DEVICE_SIGNING, alice, "neg_alice_device_signing_other_master.json");
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.json().path("flows").isArray()).isTrue();
    assertThat(r.json().path("session").asText()).isNotEmpty();
    assertThat(r.json().has("params")).isTrue();
    String master = json("keys.json").path("alice").path("master").asText();
    assertThat(query(alice, "@alice:example.org").path("master_keys").path("@alice:example.org").path("keys")
        .has("ed25519:" + master)).isTrue();
  }

  @Test
  @Order(15)
  void queries_return_the_keys_as_the_client_accepted_them_and_the_user_signing_key_only_to_its_owner() throws Exception {
    JsonNode byAlice = query(alice, "@alice:example.org");
    JsonNode expected = json("response_query_alice_by_alice.json");
    for (String field : new String[] {"master_keys", "self_signing_keys", "user_signing_keys"}) {
      assertThat(byAlice.path(field)).as(field).isEqualTo(expected.path(field));
    }
    JsonNode byBob = query(bob, "@alice:example.org");
    JsonNode expectedByBob = json("response_query_alice_by_bob.json");
    for (String field : new String[] {"master_keys", "self_signing_keys", "user_signing_keys"}) {
      assertThat(byBob.path(field)).as(field).isEqualTo(expectedByBob.path(field));
    }
    // the self-signing signature that came with alice's device keys (step 1) is kept and returned
    String ssk = json("keys.json").path("alice").path("self_signing").asText();
    assertThat(byBob.path("device_keys").path("@alice:example.org").path("ALICEDEV").path("signatures")
        .path("@alice:example.org").has("ed25519:" + ssk)).isTrue();
  }
}
