package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vectors made by matrix-sdk-crypto-wasm (vodozemac); copied from ../shared/vectors into
 * server/src/test/resources/vectors so a bare checkout tests the same.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealClientVectorsTest {
  private static final Path VECTORS = Path.of("server", "src", "test", "resources", "vectors");

  /**
   * One user's uploads: every signed object, labelled, and the canonical strings the client signed.
   */
  private record Vectors(
      String userId,
      String keyId,
      byte[] publicKey,
      Map<String, ObjectNode> signed,
      Map<String, String> expectedCanonical) {}

  private static JsonNode read(String file) throws IOException {
    return CanonicalJson.parse(Files.readString(VECTORS.resolve(file), StandardCharsets.UTF_8));
  }

  private static Vectors load(String user) throws IOException {
    JsonNode upload = read(user + "_upload.json");
    JsonNode fallback = read(user + "_upload_fallback.json");
    JsonNode canonical = read(user + "_signed_canonical.json");
    JsonNode deviceKeys = upload.get("device_keys");
    String keyId = "ed25519:" + deviceKeys.get("device_id").textValue();
    Map<String, ObjectNode> signed = new LinkedHashMap<>();
    Map<String, String> expected = new LinkedHashMap<>();
    signed.put("device_keys", (ObjectNode) deviceKeys);
    expected.put("device_keys", canonical.get("device_keys").textValue());
    for (String kind : new String[] {"one_time_keys", "fallback_keys"}) {
      JsonNode source = kind.equals("one_time_keys") ? upload : fallback;
      source
          .get(kind)
          .fields()
          .forEachRemaining(e -> signed.put(kind + "/" + e.getKey(), (ObjectNode) e.getValue()));
      canonical
          .get(kind)
          .fields()
          .forEachRemaining(e -> expected.put(kind + "/" + e.getKey(), e.getValue().textValue()));
    }
    return new Vectors(
        deviceKeys.get("user_id").textValue(),
        keyId,
        JsonSigning.decodePublicKey(deviceKeys.get("keys").get(keyId).textValue()),
        signed,
        expected);
  }

  private static String tamper(String base64, int index) {
    char c = base64.charAt(index);
    return base64.substring(0, index) + (c == 'A' ? 'B' : 'A') + base64.substring(index + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "bob"})
  void our_canonical_json_is_byte_for_byte_what_the_client_signed(String user) throws IOException {
    Vectors v = load(user);
    assertThat(v.signed()).hasSize(52);
    assertThat(v.signed().keySet()).isEqualTo(v.expectedCanonical().keySet());
    v.signed()
        .forEach(
            (label, obj) ->
                assertThat(JsonSigning.signingBytes(obj))
                    .as(label)
                    .isEqualTo(v.expectedCanonical().get(label).getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "bob"})
  void every_uploaded_signature_verifies_with_the_device_ed25519_key(String user)
      throws IOException {
    Vectors v = load(user);
    v.signed()
        .forEach(
            (label, obj) ->
                assertThat(JsonSigning.verify(obj, v.userId(), v.keyId(), v.publicKey()))
                    .as(label)
                    .isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "bob"})
  void changing_one_character_of_a_key_or_signature_fails_verification(String user)
      throws IOException {
    Vectors v = load(user);
    v.signed()
        .forEach(
            (label, original) -> {
              ObjectNode keyChanged = original.deepCopy();
              if (label.equals("device_keys")) {
                ObjectNode keys = (ObjectNode) keyChanged.get("keys");
                String curveId = "curve25519:" + keyChanged.get("device_id").textValue();
                keys.put(curveId, tamper(keys.get(curveId).textValue(), 7));
              } else {
                keyChanged.put("key", tamper(keyChanged.get("key").textValue(), 7));
              }
              assertThat(JsonSigning.verify(keyChanged, v.userId(), v.keyId(), v.publicKey()))
                  .as(label)
                  .isFalse();

              ObjectNode sigChanged = original.deepCopy();
              ObjectNode sigs = (ObjectNode) sigChanged.get("signatures").get(v.userId());
              sigs.put(v.keyId(), tamper(sigs.get(v.keyId()).textValue(), 20));
              assertThat(JsonSigning.verify(sigChanged, v.userId(), v.keyId(), v.publicKey()))
                  .as(label)
                  .isFalse();
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "bob"})
  void another_devices_key_does_not_verify(String user) throws IOException {
    Vectors v = load(user);
    Vectors other = load(user.equals("alice") ? "bob" : "alice");
    ObjectNode deviceKeys = v.signed().get("device_keys");
    assertThat(JsonSigning.verify(deviceKeys, v.userId(), v.keyId(), other.publicKey())).isFalse();
  }
}
