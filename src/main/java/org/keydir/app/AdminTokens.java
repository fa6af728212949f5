package org.keydir.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.keydir.auth.AccessTokens;
import org.keydir.config.KeydirConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin token: from config/env, else generated once into {@code <data_dir>/admin_token} (mode 0600). */
final class AdminTokens {
  private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);

  private AdminTokens() {}

  static String resolve(KeydirConfig cfg) {
    if (cfg.adminToken() != null) return cfg.adminToken();
    Path file = cfg.dataPath().resolve("admin_token");
    try {
      if (Files.exists(file)) return Files.readString(file, StandardCharsets.UTF_8).trim();
      Files.createDirectories(cfg.dataPath());
      String token = AccessTokens.generate();
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      LOG.warn("no admin_token configured: generated one into {} (set KEYDIR_ADMIN_TOKEN to choose it)",
          file.toAbsolutePath());
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
