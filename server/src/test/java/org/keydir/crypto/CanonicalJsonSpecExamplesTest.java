package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example of spec appendix "Canonical JSON" → "Examples", input text as printed there. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CanonicalJsonSpecExamplesTest {

  static Stream<Arguments> specExamples() {
    return Stream.of(
        Arguments.of("{}", "{}"),
        Arguments.of("{\n    \"one\": 1,\n    \"two\": \"Two\"\n}", "{\"one\":1,\"two\":\"Two\"}"),
        Arguments.of("{\n    \"b\": \"2\",\n    \"a\": \"1\"\n}", "{\"a\":\"1\",\"b\":\"2\"}"),
        Arguments.of("{\"b\":\"2\",\"a\":\"1\"}", "{\"a\":\"1\",\"b\":\"2\"}"),
        Arguments.of(
            """
                        {
                            "auth": {
                                "success": true,
                                "mxid": "@john.doe:example.com",
                                "profile": {
                                    "display_name": "John Doe",
                                    "three_pids": [
                                        {
                                            "medium": "email",
                                            "address": "john.doe@example.org"
                                        },
                                        {
                                            "medium": "msisdn",
                                            "address": "123456789"
                                        }
                                    ]
                                }
                            }
                        }""",
            "{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\","
                + "\"three_pids\":[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},"
                + "{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},\"success\":true}}"),
        Arguments.of("{\n    \"a\": \"日本語\"\n}", "{\"a\":\"日本語\"}"),
        Arguments.of("{\n    \"本\": 2,\n    \"日\": 1\n}", "{\"日\":1,\"本\":2}"),
        Arguments.of("{\n    \"a\": \"\\u65E5\"\n}", "{\"a\":\"日\"}"),
        Arguments.of("{\n    \"a\": null\n}", "{\"a\":null}"),
        Arguments.of("{\n    \"a\": -0,\n    \"b\": 1e10\n}", "{\"a\":0,\"b\":10000000000}"));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @MethodSource("specExamples")
  void spec_example_encodes_to_the_expected_string(String input, String expected) {
    assertThat(CanonicalJson.encode(CanonicalJson.parse(input))).isEqualTo(expected);
  }
}
