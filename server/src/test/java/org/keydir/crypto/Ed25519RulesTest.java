package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * keydir verifies Ed25519 with AWS-LC (through ACCP) where its native library loads and with
 * BouncyCastle where it does not; both must give one verdict on every input. The edge cases are
 * ed25519-speccheck's 12 vectors (resources/ed25519/README.md): AWS-LC alone takes vectors 0-3 (a
 * key of small or mixed order), BouncyCastle 1.87 alone takes 2-5 (it solves the cofactored
 * equation); keydir, which wants both points of prime order, takes none.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Ed25519RulesTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] ORDER_8_POINT =
      HEX.parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");

  record Case(int number, byte[] publicKey, byte[] message, byte[] signature) {}

  @Test
  void aws_lc_is_the_verifier_on_this_machine() {
    assertThat(AwsLc.version()).as("ACCP's native library did not load").isPresent();
    assertThat(Ed25519.verifier()).startsWith("AWS-LC (Amazon Corretto Crypto Provider 2.");
  }

  @Test
  void the_speccheck_vectors_are_all_refused_by_both_of_keydirs_verifiers() throws Exception {
    List<Integer> awsLcAlone = new ArrayList<>();
    List<Integer> bouncyCastleAlone = new ArrayList<>();
    List<Integer> keydirAwsLc = new ArrayList<>();
    List<Integer> keydirBouncyCastle = new ArrayList<>();
    for (Case c : cases()) {
      if (plainAwsLc(c.publicKey(), c.message(), c.signature())) awsLcAlone.add(c.number());
      if (plainBouncyCastle(c.publicKey(), c.message(), c.signature()))
        bouncyCastleAlone.add(c.number());
      var key = Ed25519.PublicKey.parse(c.publicKey());
      if (key.map(k -> k.verifyWithAwsLc(c.message(), c.signature())).orElse(false))
        keydirAwsLc.add(c.number());
      if (key.map(k -> k.verifyWithBouncyCastle(c.message(), c.signature())).orElse(false))
        keydirBouncyCastle.add(c.number());
    }
    assertThat(awsLcAlone).as("AWS-LC itself").containsExactly(0, 1, 2, 3);
    assertThat(bouncyCastleAlone).as("BouncyCastle itself").containsExactly(2, 3, 4, 5);
    assertThat(keydirAwsLc).as("keydir through AWS-LC").isEmpty();
    assertThat(keydirBouncyCastle).as("keydir through BouncyCastle").isEmpty();
  }

  @Test
  void a_signature_whose_r_has_a_small_order_part_is_refused_by_both() throws Exception {
    byte[] seed = new byte[32];
    seed[0] = 7;
    byte[] publicKey = Ed25519.fromSeed(seed).publicKey();
    BigInteger a = EdwardsPoints.secretScalar(seed);
    assertThat(EdwardsPoints.encode(EdwardsPoints.multiply(a, EdwardsPoints.BASE)))
        .as("the test's arithmetic")
        .isEqualTo(publicKey);
    byte[] message = "one-time key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // R' = [r]B + T with T of order 8, S = r + H(R' || A || M)·a: [8]([S]B - [k]A - R') = 0 holds,
    // [S]B = R' + [k]A does not
    BigInteger r = new BigInteger("1234567890123456789012345678901234567890");
    byte[] forgedR =
        EdwardsPoints.encode(
            EdwardsPoints.add(
                EdwardsPoints.multiply(r, EdwardsPoints.BASE),
                EdwardsPoints.decode(ORDER_8_POINT)));
    BigInteger k = EdwardsPoints.hashScalar(forgedR, publicKey, message);
    byte[] signature = new byte[64];
    System.arraycopy(forgedR, 0, signature, 0, 32);
    System.arraycopy(
        EdwardsPoints.littleEndian(r.add(k.multiply(a)).mod(EdwardsPoints.L)),
        0,
        signature,
        32,
        32);

    assertThat(plainBouncyCastle(publicKey, message, signature))
        .as("BouncyCastle's cofactored equation takes it")
        .isTrue();
    Ed25519.PublicKey key = Ed25519.PublicKey.parse(publicKey).orElseThrow();
    assertThat(plainAwsLc(publicKey, message, signature))
        .as("AWS-LC's cofactorless equation refuses it")
        .isFalse();
    assertThat(key.verifyWithAwsLc(message, signature)).isFalse();
    assertThat(key.verifyWithBouncyCastle(message, signature)).isFalse();
  }

  @Test
  void a_key_of_small_order_or_with_a_small_order_part_is_no_key() throws Exception {
    assertThat(Ed25519.PublicKey.parse(ORDER_8_POINT)).isEmpty();
    assertThat(Ed25519.PublicKey.parse(cases().get(3).publicKey())).as("mixed order").isEmpty();
    assertThat(Ed25519.PublicKey.parse(Ed25519.fromSeed(new byte[32]).publicKey())).isPresent();
  }

  @Property(tries = 300)
  void both_verifiers_agree_on_good_and_tampered_signatures(
      @ForAll @Size(min = 32, max = 32) byte[] seed,
      @ForAll @Size(max = 300) byte[] message,
      @ForAll boolean tamper,
      @ForAll @IntRange(min = 0, max = 96) int where,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] publicKey = Ed25519.fromSeed(seed).publicKey();
    byte[] signature = Ed25519.sign(seed, message);
    byte[] signed = message.clone();
    if (tamper && where < 64) signature[where] ^= (byte) (1 << bit);
    else if (tamper && where < 96) publicKey[where - 64] ^= (byte) (1 << bit);
    else if (tamper) signed = java.util.Arrays.copyOf(message, message.length + 1);
    byte[] m = signed;
    var key = Ed25519.PublicKey.parse(publicKey);
    boolean awsLc = key.map(k -> k.verifyWithAwsLc(m, signature)).orElse(false);
    boolean bouncyCastle = key.map(k -> k.verifyWithBouncyCastle(m, signature)).orElse(false);
    assertThat(bouncyCastle).isEqualTo(awsLc);
    assertThat(awsLc).isEqualTo(!tamper);
  }

  private static boolean plainAwsLc(byte[] publicKey, byte[] message, byte[] signature) {
    return AwsLc.verify(AwsLc.publicKey(publicKey), message, signature);
  }

  private static boolean plainBouncyCastle(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
          signature, 0, publicKey, 0, message, 0, message.length);
    } catch (RuntimeException e) {
      return false;
    }
  }

  static List<Case> cases() throws Exception {
    try (InputStream in =
        Ed25519RulesTest.class.getResourceAsStream("/ed25519/speccheck-cases.json")) {
      JsonNode all = new ObjectMapper().readTree(in);
      List<Case> out = new ArrayList<>();
      for (JsonNode c : all) {
        out.add(
            new Case(
                out.size(),
                HEX.parseHex(c.get("pub_key").textValue()),
                HEX.parseHex(c.get("message").textValue()),
                HEX.parseHex(c.get("signature").textValue())));
      }
      assertThat(out).hasSize(12);
      return out;
    }
  }
}
