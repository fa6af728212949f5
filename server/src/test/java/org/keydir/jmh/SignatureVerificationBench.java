package org.keydir.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.goterl.lazysodium.SodiumJava;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 17: where a 100-key upload's CPU goes. One signed_curve25519 one-time key as a client sends
 * it: canonicalising it, and verifying its signature with BouncyCastle (the key decoded per call,
 * as before, or once), with the JDK's own Ed25519, with libsodium (native, through JNA) and with
 * AWS-LC (the Amazon Corretto Crypto Provider, keydir's verifier). Run: {@code bench/jmh.sh
 * SignatureVerificationBench}; figures in docs/performance.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignatureVerificationBench {
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private byte[] publicKey;
  private Ed25519.PublicKey parsed;
  private org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point;
  private JsonNode key;
  private byte[] signed;
  private byte[] signature;
  private PublicKey jdkKey;
  private Signature jdkVerifier;
  private SodiumJava sodium;
  private Signature accpVerifier;

  @Setup
  public void setUp() throws Exception {
    Ed25519.KeyPair pair = Ed25519.generate(new SecureRandom());
    publicKey = pair.publicKey();
    parsed = Ed25519.PublicKey.parse(publicKey).orElseThrow();
    point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(publicKey, 0);
    ObjectNode k =
        new ObjectMapper()
            .createObjectNode()
            .put("key", "zKbLg+NrIjpnagy+pIY6uPL4ZwEG2v+8F9lmgsnlZzs");
    signed = JsonSigning.signingBytes(k);
    signature = Ed25519.sign(pair.seed(), signed);
    key = JsonSigning.sign(k, "@alice:example.org", "ed25519:JLAFKJWSCS", pair.seed());
    if (!JsonSigning.verify(key, "@alice:example.org", "ed25519:JLAFKJWSCS", parsed))
      throw new IllegalStateException();
    sodium = new SodiumJava();
    if (sodium.crypto_sign_verify_detached(signature, signed, signed.length, publicKey) != 0) {
      throw new IllegalStateException("libsodium rejects a good signature");
    }
    byte[] x509 = new byte[X509_PREFIX.length + 32];
    System.arraycopy(X509_PREFIX, 0, x509, 0, X509_PREFIX.length);
    System.arraycopy(publicKey, 0, x509, X509_PREFIX.length, 32);
    jdkKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
    jdkVerifier = Signature.getInstance("Ed25519");
    var accp = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
    accp.assertHealthy();
    // ACCP 2.5.0 has no Ed25519 KeyFactory; its Signature takes the JDK's key
    accpVerifier = Signature.getInstance("Ed25519", accp);
    if (!accpEd25519()) throw new IllegalStateException("ACCP rejects a good signature");
  }

  @Benchmark
  public boolean bouncyCastleKeyDecodedPerSignature() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, publicKey, 0, signed, 0, signed.length);
  }

  @Benchmark
  public boolean bouncyCastleKeyDecodedOnce() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, point, signed, 0, signed.length);
  }

  /** keydir's verification now: AWS-LC through ACCP where it loads (Ed25519.verifier()). */
  @Benchmark
  public boolean keydirVerify() {
    return parsed.verify(signed, signature);
  }

  /**
   * A key given as bytes: decoded and order-checked per signature (federation before the cache).
   */
  @Benchmark
  public boolean keydirVerifyKeyDecodedPerSignature() {
    return Ed25519.verify(publicKey, signed, signature);
  }

  /** What keydir's BouncyCastle path adds to BouncyCastle's own check: R's order. */
  @Benchmark
  public boolean bouncyCastleOrderCheckOfR() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(signature, 0);
  }

  @Benchmark
  public boolean jdkEd25519() throws Exception {
    jdkVerifier.initVerify(jdkKey);
    jdkVerifier.update(signed);
    return jdkVerifier.verify(signature);
  }

  /** Amazon Corretto Crypto Provider 2.5.0 (AWS-LC, native), through the JCA. */
  @Benchmark
  public boolean accpEd25519() throws Exception {
    accpVerifier.initVerify(jdkKey);
    accpVerifier.update(signed);
    return accpVerifier.verify(signature);
  }

  @Benchmark
  public boolean libsodiumThroughJna() {
    return sodium.crypto_sign_verify_detached(signature, signed, signed.length, publicKey) == 0;
  }

  @Benchmark
  public byte[] canonicalJsonOfTheKey() {
    return JsonSigning.signingBytes(key);
  }

  @Benchmark
  public boolean wholeCheckOfOneKey() {
    return JsonSigning.verify(key, "@alice:example.org", "ed25519:JLAFKJWSCS", parsed);
  }
}
