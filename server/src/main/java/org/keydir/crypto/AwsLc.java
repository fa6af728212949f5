package org.keydir.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;

/**
 * AWS-LC's Ed25519 through the Amazon Corretto Crypto Provider (ACCP), whose jar carries the native
 * library for linux x86_64: on keydir's machines the fastest verifier measured (JMH: 34.1 µs per
 * signature through keydir against 43.2 for libsodium 1.0.18 and 68.6 for BouncyCastle;
 * docs/performance.md, item 15). Used only as a verifier and only through this class; it is not
 * installed as a JCA provider.
 */
final class AwsLc {
  /** An Ed25519 key's X.509 SubjectPublicKeyInfo before the 32 raw bytes (RFC 8410, section 4). */
  private static final byte[] X509_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private static final Optional<String> VERSION = load();
  private static final ThreadLocal<Signature> VERIFIER =
      ThreadLocal.withInitial(AwsLc::newVerifier);

  private AwsLc() {}

  /** ACCP's version when its native library loaded and passed its self-tests; else empty. */
  static Optional<String> version() {
    return VERSION;
  }

  /** The raw key as a JCA key ACCP takes; only call when {@link #version()} is present. */
  static PublicKey publicKey(byte[] raw) {
    byte[] encoded = new byte[X509_PREFIX.length + raw.length];
    System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, encoded, X509_PREFIX.length, raw.length);
    try {
      // ACCP 2.5.0 has no Ed25519 KeyFactory; its Signature takes the JDK's key
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK refused a 32-byte Ed25519 key", e);
    }
  }

  /** AWS-LC's ED25519_verify (S below the group order, the cofactorless equation). */
  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    Signature verifier = VERIFIER.get();
    try {
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static Signature newVerifier() {
    try {
      return Signature.getInstance("Ed25519", AmazonCorrettoCryptoProvider.INSTANCE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ACCP loaded without Ed25519", e);
    }
  }

  private static Optional<String> load() {
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      if (accp.getLoadingError() != null) return Optional.empty();
      accp.assertHealthy();
      Signature.getInstance("Ed25519", accp);
      return Optional.of(accp.getVersionStr());
    } catch (LinkageError | RuntimeException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }
}
