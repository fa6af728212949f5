package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;
import static org.keydir.keys.KeysApi.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.crypto.JsonSigning;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Uploads made by matrix-sdk-crypto (../shared/vectors) upload, query and claim cleanly, signatures
 * intact.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealClientVectorsUploadTest {
  private static final Path VECTORS = Path.of("server", "src", "test", "resources", "vectors");

  private static JsonNode read(String name) throws IOException {
    return new ObjectMapper().readTree(Files.readString(VECTORS.resolve(name)));
  }

  @Test
  void alice_and_bob_upload_query_and_claim_every_key_in_upload_order_then_the_fallback()
      throws IOException {
    try (TestKeydir kd =
        TestKeydir.start(TestDatabase.fresh(), Map.of("KEYDIR_SERVER_NAME", "example.org"))) {
      TestKeydir.Device alice = kd.createDevice("alice", "ALICEDEV");
      TestKeydir.Device bob = kd.createDevice("bob", "BOBDEV");
      JsonNode aliceUpload = read("alice_upload.json");
      Http.Response first =
          ok(
              kd.http.post(
                  UPLOAD, alice.token(), Files.readString(VECTORS.resolve("alice_upload.json"))));
      assertThat(first.json().at("/one_time_key_counts/signed_curve25519").asInt()).isEqualTo(50);
      // the fallback key comes later, without device_keys: checked against the stored ed25519 key
      ok(
          kd.http.post(
              UPLOAD,
              alice.token(),
              Files.readString(VECTORS.resolve("alice_upload_fallback.json"))));
      ok(kd.http.post(UPLOAD, bob.token(), Files.readString(VECTORS.resolve("bob_upload.json"))));
      // retrying the very same upload is a no-op success
      Http.Response retry =
          ok(
              kd.http.post(
                  UPLOAD, alice.token(), Files.readString(VECTORS.resolve("alice_upload.json"))));
      assertThat(retry.json().at("/one_time_key_counts/signed_curve25519").asInt()).isEqualTo(50);

      byte[] aliceKey =
          JsonSigning.decodePublicKey(
              aliceUpload.at("/device_keys/keys/ed25519:ALICEDEV").asText());
      // bob queries alice as Element does: {"@alice": []}
      JsonNode q =
          ok(kd.http.post(
                  KeysApi.QUERY,
                  bob.token(),
                  "{\"device_keys\":{\"@alice:example.org\":[]},\"timeout\":10000}"))
              .json();
      JsonNode device = q.at("/device_keys/@alice:example.org/ALICEDEV");
      assertThat(JsonSigning.verify(device, "@alice:example.org", "ed25519:ALICEDEV", aliceKey))
          .isTrue();

      List<String> expectedOrder = new ArrayList<>();
      aliceUpload.get("one_time_keys").fieldNames().forEachRemaining(expectedOrder::add);
      List<String> claimedOrder = new ArrayList<>();
      String claimBody =
          "{\"one_time_keys\":{\"@alice:example.org\":{\"ALICEDEV\":\"signed_curve25519\"}},\"timeout\":10000}";
      for (int i = 0; i < 50; i++) {
        JsonNode keys =
            ok(kd.http.post(KeysApi.CLAIM, bob.token(), claimBody))
                .json()
                .at("/one_time_keys/@alice:example.org/ALICEDEV");
        var entry = keys.properties().iterator().next();
        claimedOrder.add(entry.getKey());
        assertThat(entry.getValue())
            .isEqualTo(aliceUpload.get("one_time_keys").get(entry.getKey()));
        assertThat(
                JsonSigning.verify(
                    entry.getValue(), "@alice:example.org", "ed25519:ALICEDEV", aliceKey))
            .isTrue();
      }
      assertThat(claimedOrder).isEqualTo(expectedOrder);
      JsonNode fallback =
          ok(kd.http.post(KeysApi.CLAIM, bob.token(), claimBody))
              .json()
              .at("/one_time_keys/@alice:example.org/ALICEDEV/signed_curve25519:AAAAAAAAAAA");
      assertThat(fallback.get("fallback").asBoolean()).isTrue();
      assertThat(JsonSigning.verify(fallback, "@alice:example.org", "ed25519:ALICEDEV", aliceKey))
          .isTrue();
    }
  }
}
