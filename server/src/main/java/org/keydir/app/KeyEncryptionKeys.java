package org.keydir.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.keydir.config.ConfigException;
import org.keydir.config.KeydirConfig;
import org.keydir.crypto.SecretBox;
import org.keydir.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that encrypts signing-key seeds at rest: {@code key_encryption_key} from config/env; with
 * the embedded database and none configured, generated once into {@code
 * <data_dir>/key_encryption_key} (mode 0600) with a warning. A configured database is shared by
 * replicas, which must all use the same key, so there it must be configured.
 */
public final class KeyEncryptionKeys {
  private static final Logger LOG = LoggerFactory.getLogger(KeyEncryptionKeys.class);

  private KeyEncryptionKeys() {}

  public static SecretBox resolve(KeydirConfig cfg) {
    if (cfg.keyEncryptionKey() != null)
      return new SecretBox(Base64.getDecoder().decode(cfg.keyEncryptionKey()));
    if (!cfg.database().embedded()) {
      throw new ConfigException(
          "key_encryption_key (KEYDIR_KEY_ENCRYPTION_KEY) must be set when database.url is set: "
              + "every replica needs the same one (make one with: head -c32 /dev/urandom | base64)");
    }
    Path file = cfg.dataPath().resolve("key_encryption_key");
    try {
      PrivateFiles.privateDirectory(cfg.dataPath());
      boolean existed = Files.exists(file);
      String encoded =
          PrivateFiles.readOrCreateSecret(
              file,
              () -> {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                return Base64.getEncoder().encodeToString(key);
              });
      if (!existed) {
        LOG.warn(
            "no key_encryption_key configured: generated one into {}; back it up with the database, "
                + "signing keys cannot be read without it",
            file.toAbsolutePath());
      }
      return new SecretBox(Base64.getDecoder().decode(encoded));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file + " does not hold a 32-byte base64 key");
    }
  }
}
