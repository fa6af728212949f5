package org.keydir.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce, for private keys at rest. The associated data binds a
 * ciphertext to its context (the key id), so a row copied under another id does not decrypt.
 * Layout: nonce (12 bytes) || ciphertext+tag.
 */
public final class SecretBox {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private final SecretKeySpec key;

  public SecretBox(byte[] key32) {
    if (key32.length != 32)
      throw new IllegalArgumentException("the key-encryption key must be 32 bytes");
    this.key = new SecretKeySpec(key32, "AES");
  }

  public byte[] seal(byte[] plaintext, String context) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plaintext);
      return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /**
   * @throws WrongKeyException when the box was sealed with another key or context, or was altered
   */
  public byte[] open(byte[] box, String context) {
    if (box.length < NONCE + TAG_BITS / 8) throw new WrongKeyException("sealed value too short");
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, 0, NONCE));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(box, NONCE, box.length - NONCE);
    } catch (AEADBadTagException e) {
      throw new WrongKeyException(
          "cannot decrypt: wrong key-encryption key, or the value was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public static final class WrongKeyException extends RuntimeException {
    public WrongKeyException(String message) {
      super(message);
    }
  }
}
