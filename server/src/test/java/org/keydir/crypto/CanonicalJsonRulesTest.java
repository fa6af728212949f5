package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CanonicalJsonRulesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static String canon(String json) {
    return CanonicalJson.encode(CanonicalJson.parse(json));
  }

  @Test
  void keys_are_ordered_by_code_point_not_by_utf16_unit() {
    // U+FF61 sorts before U+1F600 by code point; its UTF-16 unit 0xFF61 sorts after the surrogate
    // 0xD83D.
    assertThat(canon("{\"\uD83D\uDE00\":1,\"\uFF61\":2,\"z\":3}"))
        .isEqualTo("{\"z\":3,\"\uFF61\":2,\"\uD83D\uDE00\":1}");
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("\uFF61", "\uD83D\uDE00")).isNegative();
    assertThat("\uFF61".compareTo("\uD83D\uDE00")).isPositive();
  }

  @Test
  void a_key_sorts_after_its_own_prefix() {
    assertThat(canon("{\"ab\":1,\"a\":2,\"\":3}")).isEqualTo("{\"\":3,\"a\":2,\"ab\":1}");
  }

  @Test
  void only_quote_backslash_and_control_characters_are_escaped() {
    ObjectNode obj =
        F.objectNode().put("s", "\"\\\b\f\n\r\t\u0000\u0001\u001f\u007f/é\uD83D\uDE00");
    assertThat(CanonicalJson.encode(obj))
        .isEqualTo("{\"s\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f/é\uD83D\uDE00\"}");
  }

  @Test
  void non_ascii_is_written_as_raw_utf8() {
    assertThat(CanonicalJson.encodeUtf8(CanonicalJson.parse("{\"a\":\"\\u00e9\\ud83d\\ude00\"}")))
        .isEqualTo("{\"a\":\"é\uD83D\uDE00\"}".getBytes(StandardCharsets.UTF_8))
        .hasSize(14);
  }

  @Test
  void arrays_keep_their_order_and_scalars_encode_at_top_level() {
    assertThat(canon(" [3, 1, [], {}, true, false, null, \"x\"] "))
        .isEqualTo("[3,1,[],{},true,false,null,\"x\"]");
    assertThat(canon("\"x\"")).isEqualTo("\"x\"");
  }

  @Test
  void integers_at_the_edge_of_the_range_are_accepted() {
    assertThat(canon("[9007199254740991,-9007199254740991]"))
        .isEqualTo("[9007199254740991,-9007199254740991]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9007199254740992",
        "-9007199254740992",
        "123456789012345678901234567890",
        "1e16",
        "1e400"
      })
  void integers_beyond_2_to_the_53_are_rejected(String number) {
    assertThatThrownBy(() -> canon("{\"n\":" + number + "}"))
        .isInstanceOf(CanonicalJsonException.class)
        .hasMessageContaining("out of range");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "-0.1", "1e-3", "3.0000000000000000000001"})
  void floats_are_rejected(String number) {
    assertThatThrownBy(() -> canon("{\"n\":" + number + "}"))
        .isInstanceOf(CanonicalJsonException.class)
        .hasMessageContaining("float");
  }

  @Test
  void non_finite_doubles_built_in_code_are_rejected() {
    assertThatThrownBy(
            () -> CanonicalJson.encode(F.arrayNode().add(DoubleNode.valueOf(Double.NaN))))
        .isInstanceOf(CanonicalJsonException.class)
        .hasMessageContaining("not finite");
    assertThatThrownBy(() -> CanonicalJson.encode(F.arrayNode().add(0.5)))
        .isInstanceOf(CanonicalJsonException.class);
  }

  @Test
  void unpaired_surrogates_are_rejected_in_values_and_keys() {
    assertThatThrownBy(() -> canon("{\"a\":\"\\ud800\"}"))
        .isInstanceOf(CanonicalJsonException.class)
        .hasMessageContaining("surrogate");
    assertThatThrownBy(() -> canon("{\"\\udc00x\":1}")).isInstanceOf(CanonicalJsonException.class);
  }

  @Test
  void duplicate_keys_are_rejected_at_parse_time() {
    assertThatThrownBy(() -> CanonicalJson.parse("{\"a\":1,\"a\":2}"))
        .isInstanceOf(CanonicalJsonException.class)
        .hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> CanonicalJson.strictMapper().readTree("{\"x\":{\"a\":1,\"a\":1}}"))
        .hasMessageContaining("Duplicate");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{} {}", "{\"a\":1}x", "", "   ", "{'a':1}", "{\"a\":NaN}", "[01]", "{\"a\":1,}"})
  void malformed_json_is_rejected_at_parse_time(String text) {
    assertThatThrownBy(() -> CanonicalJson.parse(text)).isInstanceOf(CanonicalJsonException.class);
  }

  @Test
  void strict_mapper_keeps_huge_numbers_exact_so_they_can_be_rejected() {
    assertThat(CanonicalJson.parse("9007199254740993").bigIntegerValue().toString())
        .isEqualTo("9007199254740993");
    assertThat(CanonicalJson.parse("0.1").isBigDecimal()).isTrue();
  }
}
