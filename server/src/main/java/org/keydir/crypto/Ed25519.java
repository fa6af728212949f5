package org.keydir.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 (RFC 8032) over raw 32-byte seeds, 32-byte public keys and 64-byte signatures. */
public final class Ed25519 {
  public static final int SEED_LENGTH = 32;
  public static final int PUBLIC_KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  /** A signing key: the 32-byte seed (the private key) and its public key. Arrays are copied. */
  public record KeyPair(byte[] seed, byte[] publicKey) {
    public KeyPair {
      seed = seed.clone();
      publicKey = publicKey.clone();
    }

    @Override
    public byte[] seed() {
      return seed.clone();
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    public String publicKeyBase64() {
      return UnpaddedBase64.encode(publicKey);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyPair k
          && Arrays.equals(seed, k.seed)
          && Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
      return "Ed25519.KeyPair[publicKey=" + publicKeyBase64() + "]";
    }
  }

  public static KeyPair generate(SecureRandom random) {
    byte[] seed = new byte[SEED_LENGTH];
    random.nextBytes(seed);
    return fromSeed(seed);
  }

  /**
   * @throws IllegalArgumentException unless the seed is 32 bytes
   */
  public static KeyPair fromSeed(byte[] seed) {
    return new KeyPair(seed, privateKey(seed).generatePublicKey().getEncoded());
  }

  /**
   * @throws IllegalArgumentException unless the seed is 32 bytes
   */
  public static byte[] sign(byte[] seed, byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey(seed));
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** False for a bad signature and for any malformed input (null, wrong length, invalid point). */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    return PublicKey.parse(publicKey).map(k -> k.verify(message, signature)).orElse(false);
  }

  /**
   * Which implementation verifies: AWS-LC (through ACCP) where its native library loads (linux
   * x86_64), else BouncyCastle; either under the one rule of {@link PublicKey}. Logged once at
   * startup.
   */
  public static String verifier() {
    return AwsLc.version()
        .map(v -> "AWS-LC (Amazon Corretto Crypto Provider " + v + ")")
        .orElse("BouncyCastle (the Amazon Corretto Crypto Provider did not load on this platform)");
  }

  /**
   * A public key checked and decoded once, so an upload's many signatures by one device key share
   * it. keydir's rule (stricter than RFC 8032, the same wherever keydir runs): the key and every
   * signature's R are canonical points of the prime-order subgroup, S is below the group order, and
   * [S]B = R + [k]A. An honest signer's points are always of prime order; a key or R with a
   * small-order part lets one signature pass for several, or a small-order key "sign" anything
   * (ed25519-speccheck's vectors, Ed25519RulesTest: every one of its 12 is refused).
   */
  public static final class PublicKey {
    private final org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point;
    private final java.security.PublicKey awsLcKey;

    private PublicKey(byte[] raw, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point) {
      this.point = point;
      this.awsLcKey = AwsLc.version().isPresent() ? AwsLc.publicKey(raw) : null;
    }

    /** Empty for null, a wrong length, or no canonical point of the prime-order subgroup. */
    public static java.util.Optional<PublicKey> parse(byte[] raw) {
      if (raw == null || raw.length != PUBLIC_KEY_LENGTH) return java.util.Optional.empty();
      var point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(raw, 0);
      return point == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(new PublicKey(raw, point));
    }

    /**
     * False for a bad signature and for any malformed input. AWS-LC (ED25519_verify) checks S and
     * solves the cofactorless equation, which with this prime-order key leaves R no small-order
     * part; BouncyCastle's equation is cofactored, so there R's order is checked first.
     */
    public boolean verify(byte[] message, byte[] signature) {
      return awsLcKey != null
          ? verifyWithAwsLc(message, signature)
          : verifyWithBouncyCastle(message, signature);
    }

    /** Package-private for the rules test. */
    boolean verifyWithBouncyCastle(byte[] message, byte[] signature) {
      if (!wellFormed(message, signature)) return false;
      try {
        return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(signature, 0)
            && org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
                signature, 0, point, message, 0, message.length);
      } catch (RuntimeException e) {
        return false;
      }
    }

    /** Package-private for the rules test; only when AWS-LC is loaded. */
    boolean verifyWithAwsLc(byte[] message, byte[] signature) {
      return wellFormed(message, signature) && AwsLc.verify(awsLcKey, message, signature);
    }

    private static boolean wellFormed(byte[] message, byte[] signature) {
      return message != null && signature != null && signature.length == SIGNATURE_LENGTH;
    }
  }

  private static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes");
    }
    return new Ed25519PrivateKeyParameters(seed, 0);
  }
}
