package org.keydir.auth;

import java.util.regex.Pattern;
import org.keydir.config.ServerNames;

/** Spec appendix "Identifier Grammar": user ids and device ids as keydir accepts them. */
public final class MatrixIds {
  // Historical user ids allow any printable ASCII except ':' in the localpart; spec "Historical
  // User IDs".
  private static final Pattern LOCALPART = Pattern.compile("[\\x21-\\x39\\x3B-\\x7E]+");
  private static final Pattern DEVICE_ID = Pattern.compile("[\\x21-\\x7E]{1,255}");

  private MatrixIds() {}

  /** True for {@code @localpart:server_name} no longer than 255 bytes. */
  public static boolean isUserId(String s) {
    if (s == null || s.length() > 255 || !s.startsWith("@")) return false;
    int colon = s.indexOf(':');
    return colon > 1
        && LOCALPART.matcher(s.substring(1, colon)).matches()
        && ServerNames.isValid(s.substring(colon + 1));
  }

  public static String serverOf(String userId) {
    return userId.substring(userId.indexOf(':') + 1);
  }

  public static boolean isDeviceId(String s) {
    return s != null && DEVICE_ID.matcher(s).matches();
  }
}
