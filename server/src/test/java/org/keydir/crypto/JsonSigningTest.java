package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JsonSigningTest {
  /** Spec appendix "Cryptographic Test Vectors" → "Signing Key". */
  private static final byte[] SEED =
      UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");

  private static final byte[] PUB = Ed25519.fromSeed(SEED).publicKey();

  private static ObjectNode obj(String json) {
    return (ObjectNode) CanonicalJson.parse(json);
  }

  @Test
  void spec_test_vector_signing_the_empty_object() {
    ObjectNode signed = JsonSigning.sign(obj("{}"), "domain", "ed25519:1", SEED);
    assertThat(CanonicalJson.encode(signed))
        .isEqualTo(
            "{\"signatures\":{\"domain\":{\"ed25519:1\":"
                + "\"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ\"}}}");
    assertThat(JsonSigning.verify(signed, "domain", "ed25519:1", PUB)).isTrue();
  }

  @Test
  void spec_test_vector_signing_an_object_with_data() {
    ObjectNode signed =
        JsonSigning.sign(obj("{\"one\":1,\"two\":\"Two\"}"), "domain", "ed25519:1", SEED);
    assertThat(CanonicalJson.encode(signed))
        .isEqualTo(
            "{\"one\":1,\"signatures\":{\"domain\":{\"ed25519:1\":"
                + "\"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw\"}},"
                + "\"two\":\"Two\"}");
  }

  /**
   * Spec appendix "Signing Details" example. It names no key: its printed signature verifies
   * neither with the test seed's key nor with the XSl0… key it lists, so only its shape is checked.
   */
  @Test
  void
      spec_signing_details_example_keeps_unsigned_and_its_printed_signature_is_illustrative_only() {
    ObjectNode input =
        obj(
            "{\"name\":\"example.org\",\"signing_keys\":{\"ed25519:1\":"
                + "\"XSl0kuyvrXNj6A+7/tkrB9sxSbRi08Of5uRhxOqZtEQ\"},\"unsigned\":{\"age_ts\":922834800000}}");
    ObjectNode signed = JsonSigning.sign(input, "example.org", "ed25519:1", SEED);
    assertThat(signed.get("unsigned")).isEqualTo(input.get("unsigned"));
    assertThat(signed.at("/signatures/example.org").size()).isEqualTo(1);
    assertThat(JsonSigning.verify(signed, "example.org", "ed25519:1", PUB)).isTrue();

    ObjectNode printed = input.deepCopy();
    printed
        .putObject("signatures")
        .putObject("example.org")
        .put(
            "ed25519:1",
            "s76RUgajp8w172am0zQb/iPTHsRnb4SkrzGoeCOSFfcBY2V/1c8QfrmdXHpvnc2jK5BD1WiJIxiMW95fMjK7Bw");
    byte[] listedKey = UnpaddedBase64.decode("XSl0kuyvrXNj6A+7/tkrB9sxSbRi08Of5uRhxOqZtEQ");
    assertThat(JsonSigning.verify(printed, "example.org", "ed25519:1", PUB)).isFalse();
    assertThat(JsonSigning.verify(printed, "example.org", "ed25519:1", listedKey)).isFalse();
  }

  @Test
  void signing_adds_to_existing_signatures_and_leaves_the_input_untouched() {
    ObjectNode input =
        obj(
            "{\"a\":1,\"signatures\":{\"@u:x\":{\"ed25519:OTHER\":\"abc\"}},\"unsigned\":{\"n\":1}}");
    String before = CanonicalJson.encode(input);
    ObjectNode signed = JsonSigning.sign(input, "@u:x", "ed25519:DEV", SEED);
    assertThat(CanonicalJson.encode(input)).isEqualTo(before);
    assertThat(signed.at("/signatures/@u:x/ed25519:OTHER").textValue()).isEqualTo("abc");
    assertThat(signed.at("/unsigned/n").intValue()).isEqualTo(1);
    assertThat(JsonSigning.verify(signed, "@u:x", "ed25519:DEV", PUB)).isTrue();
  }

  @Test
  void unsigned_and_other_signatures_are_not_covered_by_the_signature() {
    ObjectNode signed = JsonSigning.sign(obj("{\"a\":1}"), "e", "ed25519:1", SEED);
    signed.putObject("unsigned").put("age", 5);
    ((ObjectNode) signed.get("signatures")).putObject("other").put("ed25519:X", "zz");
    assertThat(JsonSigning.verify(signed, "e", "ed25519:1", PUB)).isTrue();
  }

  @Test
  void any_change_to_signed_content_fails_verification() {
    ObjectNode signed = JsonSigning.sign(obj("{\"a\":1,\"b\":[true]}"), "e", "ed25519:1", SEED);
    signed.put("a", 2);
    assertThat(JsonSigning.verify(signed, "e", "ed25519:1", PUB)).isFalse();
  }

  @Test
  void verification_fails_without_throwing_for_missing_or_malformed_signatures() {
    ObjectNode signed = JsonSigning.sign(obj("{\"a\":1}"), "e", "ed25519:1", SEED);
    assertThat(JsonSigning.verify(signed, "other", "ed25519:1", PUB)).isFalse();
    assertThat(JsonSigning.verify(signed, "e", "ed25519:2", PUB)).isFalse();
    assertThat(JsonSigning.verify(signed, "e", "curve25519:1", PUB)).isFalse();
    assertThat(
            JsonSigning.verify(
                signed, "e", "ed25519:1", Ed25519.generate(new SecureRandom()).publicKey()))
        .isFalse();
    assertThat(JsonSigning.verify(signed, "e", "ed25519:1", new byte[5])).isFalse();
    assertThat(JsonSigning.verify(signed, "e", "ed25519:1", (byte[]) null)).isFalse();
    for (String bad :
        new String[] {
          "{\"a\":1}",
          "{\"signatures\":[]}",
          "{\"signatures\":{\"e\":\"x\"}}",
          "{\"signatures\":{\"e\":{\"ed25519:1\":7}}}",
          "{\"signatures\":{\"e\":{\"ed25519:1\":\"!!notbase64\"}}}",
          "{\"signatures\":{\"e\":{\"ed25519:1\":\"AAAA\"}}}",
          "[1]",
          "\"s\""
        }) {
      assertThat(JsonSigning.verify(CanonicalJson.parse(bad), "e", "ed25519:1", PUB))
          .as(bad)
          .isFalse();
    }
    assertThat(JsonSigning.verify(null, "e", "ed25519:1", PUB)).isFalse();
  }

  @Test
  void content_without_a_canonical_form_fails_verification_instead_of_throwing() {
    ObjectNode signed = JsonSigning.sign(obj("{\"a\":1}"), "e", "ed25519:1", SEED);
    signed.put("f", 1.5);
    assertThat(JsonSigning.verify(signed, "e", "ed25519:1", PUB)).isFalse();
  }

  @Test
  void signing_rejects_non_ed25519_key_ids_and_malformed_signatures_members() {
    assertThatThrownBy(() -> JsonSigning.sign(obj("{}"), "e", "curve25519:1", SEED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonSigning.sign(obj("{\"signatures\":1}"), "e", "ed25519:1", SEED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> JsonSigning.sign(obj("{\"signatures\":{\"e\":[]}}"), "e", "ed25519:1", SEED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signing_bytes_exclude_only_top_level_signatures_and_unsigned() {
    JsonNode o =
        CanonicalJson.parse(
            "{\"unsigned\":1,\"signatures\":{},\"x\":{\"unsigned\":2,\"signatures\":3}}");
    assertThat(new String(JsonSigning.signingBytes(o), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("{\"x\":{\"signatures\":3,\"unsigned\":2}}");
  }

  @Test
  void a_published_public_key_decodes_only_at_32_bytes() {
    assertThat(JsonSigning.decodePublicKey(UnpaddedBase64.encode(PUB))).isEqualTo(PUB);
    assertThatThrownBy(() -> JsonSigning.decodePublicKey("AAAA"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
