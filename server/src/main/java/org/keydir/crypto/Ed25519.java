package org.keydir.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
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
   * A public key decoded once: decoding the point takes a square root, about a tenth of a
   * verification (JFR of a 100-key upload, issue 17), so an upload's many signatures by one device
   * key share one decoded key.
   */
  public static final class PublicKey {
    private final Ed25519PublicKeyParameters key;

    private PublicKey(Ed25519PublicKeyParameters key) {
      this.key = key;
    }

    /** Empty for null, a wrong length or a point not on the curve. */
    public static java.util.Optional<PublicKey> parse(byte[] raw) {
      if (raw == null || raw.length != PUBLIC_KEY_LENGTH) return java.util.Optional.empty();
      try {
        return java.util.Optional.of(new PublicKey(new Ed25519PublicKeyParameters(raw, 0)));
      } catch (RuntimeException e) {
        return java.util.Optional.empty();
      }
    }

    /** False for a bad signature and for any malformed input. */
    public boolean verify(byte[] message, byte[] signature) {
      if (message == null || signature == null || signature.length != SIGNATURE_LENGTH)
        return false;
      try {
        return key.verify(
            org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519,
            null,
            message,
            0,
            message.length,
            signature,
            0);
      } catch (RuntimeException e) {
        return false;
      }
    }
  }

  private static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes");
    }
    return new Ed25519PrivateKeyParameters(seed, 0);
  }
}
