package org.keydir.keys;

/**
 * A key id {@code <algorithm>:<id>} (spec "Key algorithms": e.g. {@code signed_curve25519:AAAAHQ}).
 */
public record KeyId(String algorithm, String id) {
  private static final int MAX_LENGTH = 255;

  public static KeyId parse(String full) {
    int colon = full.indexOf(':');
    if (colon <= 0 || colon == full.length() - 1 || full.length() > MAX_LENGTH) {
      throw KeydirException.badJson("key id '%s' must be <algorithm>:<id>", abbreviate(full));
    }
    for (int i = 0; i < full.length(); i++) {
      char c = full.charAt(i);
      if (c < 0x21 || c > 0x7E)
        throw KeydirException.badJson("key id '%s' must be printable ASCII", abbreviate(full));
    }
    return new KeyId(full.substring(0, colon), full.substring(colon + 1));
  }

  /** An algorithm name as it can appear in a stored key id: printable ASCII, no ':'. */
  public static boolean isAlgorithm(String s) {
    if (s.isEmpty() || s.length() > MAX_LENGTH) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == ':') return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return algorithm + ":" + id;
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
