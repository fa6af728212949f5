package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Ed25519Test {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.UTF_8);

  @Test
  void rfc8032_test_1_gives_the_published_key_and_signature() {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    byte[] sig =
        HEX.parseHex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
                + "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertThat(Ed25519.fromSeed(seed).publicKey()).isEqualTo(pub);
    assertThat(Ed25519.sign(seed, new byte[0])).isEqualTo(sig);
    assertThat(Ed25519.verify(pub, new byte[0], sig)).isTrue();
  }

  @Test
  void a_generated_key_signs_what_its_public_key_verifies() {
    Ed25519.KeyPair kp = Ed25519.generate(new SecureRandom());
    byte[] sig = Ed25519.sign(kp.seed(), MESSAGE);
    assertThat(sig).hasSize(Ed25519.SIGNATURE_LENGTH);
    assertThat(Ed25519.verify(kp.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(Ed25519.fromSeed(kp.seed())).isEqualTo(kp);
  }

  @Test
  void a_changed_message_signature_or_key_fails_verification() {
    Ed25519.KeyPair kp = Ed25519.generate(new SecureRandom());
    byte[] sig = Ed25519.sign(kp.seed(), MESSAGE);
    assertThat(Ed25519.verify(kp.publicKey(), "messagf".getBytes(StandardCharsets.UTF_8), sig))
        .isFalse();
    byte[] badSig = sig.clone();
    badSig[10] ^= 1;
    assertThat(Ed25519.verify(kp.publicKey(), MESSAGE, badSig)).isFalse();
    byte[] badKey = kp.publicKey();
    badKey[0] ^= 1;
    assertThat(Ed25519.verify(badKey, MESSAGE, sig)).isFalse();
  }

  @Test
  void malformed_inputs_make_verify_return_false_without_throwing() {
    Ed25519.KeyPair kp = Ed25519.generate(new SecureRandom());
    byte[] sig = Ed25519.sign(kp.seed(), MESSAGE);
    byte[] notAPoint = new byte[32];
    Arrays.fill(notAPoint, (byte) 0xff);
    assertThat(Ed25519.verify(null, MESSAGE, sig)).isFalse();
    assertThat(Ed25519.verify(kp.publicKey(), null, sig)).isFalse();
    assertThat(Ed25519.verify(kp.publicKey(), MESSAGE, null)).isFalse();
    assertThat(Ed25519.verify(Arrays.copyOf(kp.publicKey(), 31), MESSAGE, sig)).isFalse();
    assertThat(Ed25519.verify(Arrays.copyOf(kp.publicKey(), 33), MESSAGE, sig)).isFalse();
    assertThat(Ed25519.verify(kp.publicKey(), MESSAGE, Arrays.copyOf(sig, 63))).isFalse();
    assertThat(Ed25519.verify(kp.publicKey(), MESSAGE, Arrays.copyOf(sig, 65))).isFalse();
    assertThat(Ed25519.verify(notAPoint, MESSAGE, sig)).isFalse();
    assertThat(Ed25519.verify(new byte[32], MESSAGE, new byte[64])).isFalse();
  }

  @Test
  void a_seed_must_be_32_bytes() {
    assertThatThrownBy(() -> Ed25519.fromSeed(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ed25519.sign(new byte[64], MESSAGE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_key_pair_copies_its_arrays_and_does_not_print_its_seed() {
    byte[] seed = new byte[32];
    Ed25519.KeyPair kp = Ed25519.fromSeed(seed);
    seed[0] = 1;
    kp.seed()[1] = 1;
    assertThat(kp.seed()).isEqualTo(new byte[32]);
    assertThat(kp.toString())
        .contains(kp.publicKeyBase64())
        .doesNotContain(UnpaddedBase64.encode(new byte[32]));
  }
}
