package org.keydir.crypto;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.Optional;

/**
 * The system's libsodium (Debian: libsodium23), bound through JNA's direct mapping: its Ed25519
 * verification is about 1.5× as fast as BouncyCastle's on keydir's machines (docs/performance.md,
 * "Where an upload's CPU goes").
 */
final class Libsodium {
  private static final Optional<String> VERSION = load();

  private Libsodium() {}

  /** The library's version when it is loaded and initialised; empty when the machine lacks it. */
  static Optional<String> version() {
    return VERSION;
  }

  /** libsodium's crypto_sign_verify_detached; only call when {@link #version()} is present. */
  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    return crypto_sign_verify_detached(signature, message, message.length, publicKey) == 0;
  }

  private static Optional<String> load() {
    try {
      Native.register(Libsodium.class, NativeLibrary.getInstance("sodium"));
      // "sodium_init() initializes the library and should be called before any other function";
      // it returns 0 on success, 1 if already initialised, -1 on failure.
      if (sodium_init() < 0) return Optional.empty();
      return Optional.of(sodium_version_string());
    } catch (LinkageError | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static native int sodium_init();

  private static native String sodium_version_string();

  private static native int crypto_sign_verify_detached(
      byte[] signature, byte[] message, long messageLength, byte[] publicKey);
}
