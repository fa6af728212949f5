package org.keydir.config;

/** A configuration value that keydir cannot start with; the message names the YAML key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  static void check(boolean ok, String format, Object... args) {
    if (!ok) throw new ConfigException(String.format(format, args));
  }
}
