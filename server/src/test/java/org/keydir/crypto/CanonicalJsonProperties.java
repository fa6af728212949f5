package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CanonicalJsonProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final long LIMIT = (1L << 53) - 1;

  @Property(tries = 300)
  void encoding_is_a_fixed_point_of_parse_then_encode(@ForAll("json") JsonNode x) {
    String once = CanonicalJson.encode(x);
    assertThat(CanonicalJson.encode(CanonicalJson.parse(once))).isEqualTo(once);
  }

  @Property(tries = 300)
  void reordering_object_members_does_not_change_the_encoding(
      @ForAll("json") JsonNode x, @ForAll Random random) {
    assertThat(CanonicalJson.encode(shuffled(x, random))).isEqualTo(CanonicalJson.encode(x));
  }

  @Property(tries = 500)
  void require_encodable_refuses_exactly_what_encode_refuses(@ForAll("maybeBad") JsonNode x) {
    Throwable byEncode =
        org.assertj.core.api.Assertions.catchThrowable(() -> CanonicalJson.encode(x));
    Throwable byCheck =
        org.assertj.core.api.Assertions.catchThrowable(() -> CanonicalJson.requireEncodable(x));
    assertThat(byCheck == null).as("%s", x).isEqualTo(byEncode == null);
    if (byCheck != null) assertThat(byCheck.getMessage()).isEqualTo(byEncode.getMessage());
  }

  @Provide
  Arbitrary<JsonNode> maybeBad() {
    Arbitrary<JsonNode> bad =
        Arbitraries.oneOf(
            Arbitraries.of("\ud800", "a\udc00b", "\udbff", "x\ud83d").map(F::textNode),
            Arbitraries.of(1.5, 1e300, -0.25).map(F::numberNode),
            Arbitraries.of(
                    new java.math.BigInteger("9007199254740992"), java.math.BigInteger.TEN.pow(30))
                .map(F::numberNode));
    Arbitrary<JsonNode> leaf =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, scalars()), net.jqwik.api.Tuple.of(1, bad));
    Arbitrary<JsonNode> objects =
        Arbitraries.maps(Arbitraries.oneOf(strings(), Arbitraries.just("k\udfff")), leaf)
            .ofMaxSize(4)
            .map(CanonicalJsonProperties::object);
    return Arbitraries.oneOf(leaf, objects, objects.map(o -> F.arrayNode().add(o)));
  }

  private static JsonNode object(Map<String, JsonNode> members) {
    ObjectNode o = F.objectNode();
    members.forEach(o::set);
    return o;
  }

  private static JsonNode shuffled(JsonNode node, Random random) {
    if (node.isArray()) {
      ArrayNode copy = F.arrayNode();
      node.forEach(child -> copy.add(shuffled(child, random)));
      return copy;
    }
    if (!node.isObject()) return node;
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
    node.fields().forEachRemaining(members::add);
    Collections.shuffle(members, random);
    ObjectNode copy = F.objectNode();
    members.forEach(e -> copy.set(e.getKey(), shuffled(e.getValue(), random)));
    return copy;
  }

  @Provide
  Arbitrary<JsonNode> json() {
    return json(3);
  }

  private static Arbitrary<JsonNode> json(int depth) {
    if (depth == 0) return scalars();
    Arbitrary<JsonNode> child = json(depth - 1);
    Arbitrary<JsonNode> arrays =
        child
            .list()
            .ofMaxSize(4)
            .map(
                list -> {
                  ArrayNode a = F.arrayNode();
                  list.forEach(a::add);
                  return a;
                });
    Arbitrary<JsonNode> objects =
        Arbitraries.maps(strings(), child).ofMaxSize(5).map(CanonicalJsonProperties::object);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, scalars()),
        net.jqwik.api.Tuple.of(1, arrays),
        net.jqwik.api.Tuple.of(2, objects));
  }

  private static Arbitrary<JsonNode> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.just(F.nullNode()),
        Arbitraries.of(true, false).map(F::booleanNode),
        Arbitraries.longs().between(-LIMIT, LIMIT).map(F::numberNode),
        strings().map(F::textNode));
  }

  /**
   * Strings of any Unicode scalar values: ASCII, controls, BMP and supplementary planes, no lone
   * surrogates.
   */
  private static Arbitrary<String> strings() {
    Arbitrary<Integer> codePoint =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 0x7f)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0xd7ff)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0xffff)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)));
    return codePoint
        .list()
        .ofMaxSize(6)
        .map(
            cps -> {
              StringBuilder sb = new StringBuilder();
              cps.forEach(sb::appendCodePoint);
              return sb.toString();
            });
  }
}
