package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnpaddedBase64Test {

  /** Spec appendix "Unpadded Base64" examples. */
  @ParameterizedTest(name = "\"{0}\" ↔ \"{1}\"")
  @CsvSource(
      value = {
        "'',''",
        "f,Zg",
        "fo,Zm8",
        "foo,Zm9v",
        "foob,Zm9vYg",
        "fooba,Zm9vYmE",
        "foobar,Zm9vYmFy"
      })
  void spec_examples_encode_and_decode(String plain, String encoded) {
    byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
    assertThat(UnpaddedBase64.encode(bytes)).isEqualTo(encoded);
    assertThat(UnpaddedBase64.decode(encoded)).isEqualTo(bytes);
  }

  @Test
  void padded_input_is_accepted_too() {
    assertThat(UnpaddedBase64.decode("Zg==")).isEqualTo(new byte[] {'f'});
    assertThat(UnpaddedBase64.decode("Zm8=")).isEqualTo(new byte[] {'f', 'o'});
  }

  @Test
  void unused_trailing_bits_are_ignored_as_the_spec_test_seed_requires() {
    assertThat(UnpaddedBase64.decode("Zh")).isEqualTo(new byte[] {'f'});
    assertThat(UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1")).hasSize(32);
  }

  @Test
  void the_standard_alphabet_is_used() {
    assertThat(UnpaddedBase64.encode(new byte[] {(byte) 0xfb, (byte) 0xff})).isEqualTo("+/8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Z", "Zg=", "Zg===", "Zm9v=", "-_8", "Zm 9v", "Zm9v\n", "Zg==Zg==", "Z@==", "é"})
  void invalid_input_is_rejected(String text) {
    assertThatThrownBy(() -> UnpaddedBase64.decode(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void null_is_rejected() {
    assertThatThrownBy(() -> UnpaddedBase64.decode(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
