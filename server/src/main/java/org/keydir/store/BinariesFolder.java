package org.keydir.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.keydir.files.PrivateFiles;

/**
 * Where zonky unpacks the PostgreSQL binaries keydir runs. zonky's default, {@code
 * /tmp/embedded-pg}, is world-writable (zonky makes its working folder so): another local user
 * could plant binaries there before keydir first runs and have them executed as keydir's user.
 * keydir unpacks them under a folder of its own user only: {@code ~/.cache/keydir} (0700), or the
 * folder named by the system property {@code ot.epg.working-dir}.
 */
final class BinariesFolder {
  private BinariesFolder() {}

  static Path prepare() {
    String configured = System.getProperty("ot.epg.working-dir");
    if (configured != null) return Path.of(configured);
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "keydir");
    PrivateFiles.privateDirectory(cache);
    requireOwnedByUs(cache);
    Path work = cache.resolve("embedded-pg");
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + work, e);
    }
    return work;
  }

  private static void requireOwnedByUs(Path dir) {
    try {
      String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
      if (!owner.equals(System.getProperty("user.name"))) {
        throw new IllegalStateException(
            dir + " belongs to " + owner + ", not to " + System.getProperty("user.name"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
