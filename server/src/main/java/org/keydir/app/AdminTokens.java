package org.keydir.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.keydir.auth.AccessTokens;
import org.keydir.config.KeydirConfig;
import org.keydir.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token: from config/env, else generated once into {@code <data_dir>/admin_token} (mode
 * 0600).
 */
final class AdminTokens {
  private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);

  private AdminTokens() {}

  static String resolve(KeydirConfig cfg) {
    if (cfg.adminToken() != null) return cfg.adminToken();
    Path file = cfg.dataPath().resolve("admin_token");
    PrivateFiles.privateDirectory(cfg.dataPath());
    boolean existed = Files.exists(file);
    String token = PrivateFiles.readOrCreateSecret(file, AccessTokens::generate);
    if (!existed) {
      LOG.warn(
          "no admin_token configured: generated one into {} (set KEYDIR_ADMIN_TOKEN to choose it)",
          file.toAbsolutePath());
    }
    return token;
  }
}
