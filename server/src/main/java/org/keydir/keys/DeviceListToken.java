package org.keydir.keys;

/**
 * A position in the device-list stream as clients see it: an opaque string ({@code "d<position>"}).
 * In host mode the host's {@code /sync} tokens will carry it; anything else is a 400.
 */
public final class DeviceListToken {
  private DeviceListToken() {}

  public static String of(long position) {
    return "d" + position;
  }

  public static long parse(String token, String param) {
    if (token == null || token.isEmpty())
      throw KeydirException.of(KeydirException.Kind.MISSING_PARAM, "'%s' is required", param);
    if (!token.matches("d[0-9]{1,18}"))
      throw KeydirException.invalidParam("'%s' is not a device-list position", param);
    return Long.parseLong(token.substring(1));
  }
}
