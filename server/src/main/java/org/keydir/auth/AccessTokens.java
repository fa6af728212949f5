package org.keydir.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Access tokens are 256 random bits; only their SHA-256 is stored, so a database dump holds no
 * usable token. SHA-256 without salt is enough: the input has 256 bits of entropy.
 */
public final class AccessTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "kd_";

  private AccessTokens() {}

  public static String generate() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Constant-time comparison, for the admin token. */
  public static boolean sameSecret(String expected, String given) {
    return MessageDigest.isEqual(hash(expected), hash(given));
  }
}
