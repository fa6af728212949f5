package org.keydir.crypto;

import java.util.Base64;

/** Spec appendix "Unpadded Base64": RFC 4648 standard alphabet without '=' padding. */
public final class UnpaddedBase64 {
  private static final Base64.Encoder UNPADDED = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private UnpaddedBase64() {}

  public static String encode(byte[] data) {
    return UNPADDED.encodeToString(data);
  }

  /**
   * Decodes padded or unpadded input ("implementations SHOULD accept input with or without padding
   * characters"). Non-zero unused trailing bits are ignored, as in the spec's own test seed
   * "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"; wrong alphabet, whitespace and wrong padding are
   * rejected.
   *
   * @throws IllegalArgumentException if the input is not valid Base64
   */
  public static byte[] decode(String text) {
    if (text == null) throw new IllegalArgumentException("base64 input is null");
    try {
      return DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid base64 (" + e.getMessage() + "): " + abbreviate(text), e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 16 ? text : text.substring(0, 16) + "…";
  }
}
