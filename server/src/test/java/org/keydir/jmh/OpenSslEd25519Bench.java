package org.keydir.jmh;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.keydir.crypto.Ed25519;
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
 * Issue 17, a candidate verifier: the system's OpenSSL 3 (libcrypto3) Ed25519 through JNA's direct
 * mapping, against keydir's verification (AWS-LC since docs/performance.md item 15; libsodium when
 * measured) on the same signature.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OpenSslEd25519Bench {
  static final class Crypto {
    static {
      Native.register(Crypto.class, NativeLibrary.getInstance("crypto"));
    }

    static native Pointer EVP_PKEY_new_raw_public_key(
        int type, Pointer engine, byte[] key, long len);

    static native Pointer EVP_MD_CTX_new();

    static native int EVP_MD_CTX_reset(Pointer ctx);

    static native int EVP_DigestVerifyInit(
        Pointer ctx, Pointer pctx, Pointer md, Pointer engine, Pointer pkey);

    static native int EVP_DigestVerify(
        Pointer ctx, byte[] sig, long siglen, byte[] msg, long msglen);
  }

  private static final int EVP_PKEY_ED25519 = 1087;
  private byte[] signed;
  private byte[] signature;
  private Ed25519.PublicKey parsed;
  private Pointer pkey;
  private Pointer ctx;

  @Setup
  public void setUp() {
    Ed25519.KeyPair pair = Ed25519.generate(new SecureRandom());
    parsed = Ed25519.PublicKey.parse(pair.publicKey()).orElseThrow();
    signed = "{\"key\":\"zKbLg+NrIjpnagy+pIY6uPL4ZwEG2v+8F9lmgsnlZzs\"}".getBytes();
    signature = Ed25519.sign(pair.seed(), signed);
    pkey = Crypto.EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, null, pair.publicKey(), 32);
    ctx = Crypto.EVP_MD_CTX_new();
    if (!openSsl()) throw new IllegalStateException("OpenSSL rejects a good signature");
    signature[5] ^= 1;
    if (openSsl()) throw new IllegalStateException("OpenSSL accepts a bad signature");
    signature[5] ^= 1;
  }

  @Benchmark
  public boolean openSsl() {
    Crypto.EVP_MD_CTX_reset(ctx);
    if (Crypto.EVP_DigestVerifyInit(ctx, null, null, null, pkey) != 1) return false;
    return Crypto.EVP_DigestVerify(ctx, signature, 64, signed, signed.length) == 1;
  }

  @Benchmark
  public boolean keydirVerify() {
    return parsed.verify(signed, signature);
  }
}
