package org.keydir.config;

import java.util.regex.Pattern;

/**
 * Spec appendix "Server Name": {@code hostname [ ":" port ]}, hostname a DNS name or IP literal.
 */
public final class ServerNames {
  private static final Pattern SERVER_NAME =
      Pattern.compile("(?:\\[[0-9A-Fa-f:.]{2,45}\\]|[0-9A-Za-z.-]{1,255})(?::[0-9]{1,5})?");

  private ServerNames() {}

  public static boolean isValid(String name) {
    return SERVER_NAME.matcher(name).matches();
  }
}
