package org.keydir.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Folders only this OS user may enter (0700) and secret files only this OS user may read (0600). A
 * secret file is born with mode 0600 ({@code open(O_CREAT|O_EXCL, 0600)} on a temporary name),
 * written and fsynced, then hard-linked to its final name, which fails if another process got there
 * first: there is no moment at which the file exists with wider permissions or half written.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> OWNER_RW =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX =
      PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private PrivateFiles() {}

  /** Creates {@code dir} (and parents) if needed and restricts it to this OS user. */
  public static Path privateDirectory(Path dir) {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
        } catch (FileAlreadyExistsException raced) {
          // another process created it; restricted below
        }
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(dir + " is not a directory");
      }
      Files.setPosixFilePermissions(dir, OWNER_RWX);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create private directory " + dir, e);
    }
  }

  /** The secret in {@code file}, or a new one from {@code generate} written there 0600. */
  public static String readOrCreateSecret(Path file, Supplier<String> generate) {
    try {
      if (Files.exists(file)) return read(file);
      String secret = generate.get();
      return createSecret(file, secret) ? secret : read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  /**
   * Writes {@code secret} to a new file {@code file} with mode 0600; false if it already exists.
   */
  public static boolean createSecret(Path file, String secret) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + randomToken(6));
    FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_RW);
    try (FileChannel ch =
        FileChannel.open(
            tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
      Files.setPosixFilePermissions(
          tmp, OWNER_RW); // the umask may only have narrowed it; make it exact
      ch.write(ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException lost) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes a non-secret file (a port number, a config file) with mode 0600, replacing it
   * atomically.
   */
  public static void writePrivate(Path file, String content) {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + randomToken(6));
    FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_RW);
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
        ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /** {@code bytes} random bytes as unpadded URL-safe base64 (safe in URLs and config files). */
  public static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }
}
