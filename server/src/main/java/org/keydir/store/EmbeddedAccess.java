package org.keydir.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.keydir.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may reach the embedded PostgreSQL: only keydir's own OS user. Its unix socket lives in a 0700
 * folder inside the data folder, it listens on loopback TCP only, and {@code pg_hba.conf}
 * (rewritten at every start) asks every connection, socket or TCP, for a scram-sha-256 password.
 * Both passwords (the superuser's, used only to set up roles, and keydir's) are random and sit in
 * 0600 files of the 0700 data folder.
 *
 * <p>Data folders created before this (initdb {@code -A trust}, no password) are converted before
 * the server accepts its first connection: the superuser gets its password in single-user mode,
 * which opens no socket at all.
 */
final class EmbeddedAccess {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAccess.class);
  static final String HBA_MARKER = "# keydir: every connection needs a password";
  private static final String HBA =
      HBA_MARKER
          + """
      ; this file is rewritten at every start.
      # TYPE  DATABASE  USER  ADDRESS       METHOD
      local   all       all                 scram-sha-256
      host    all       all   127.0.0.1/32  scram-sha-256
      host    all       all   ::1/128       scram-sha-256
      """;

  final Path dataDir;
  final Path pgData;
  final Path socketDir;
  final String superuserPassword;
  final String keydirPassword;

  private EmbeddedAccess(Path dataDir, String superuserPassword, String keydirPassword) {
    // absolute: PostgreSQL resolves a relative socket folder against its own data folder
    dataDir = dataDir.toAbsolutePath();
    this.dataDir = dataDir;
    this.pgData = dataDir.resolve("postgres");
    this.socketDir = dataDir.resolve("run");
    this.superuserPassword = superuserPassword;
    this.keydirPassword = keydirPassword;
  }

  /** Reads (or creates) the passwords of {@code dataDir}, which must already be private. */
  static EmbeddedAccess of(Path dataDir) {
    String su =
        PrivateFiles.readOrCreateSecret(
            superuserPasswordFile(dataDir), () -> PrivateFiles.randomToken(24));
    String kd =
        PrivateFiles.readOrCreateSecret(
            keydirPasswordFile(dataDir), () -> PrivateFiles.randomToken(24));
    return new EmbeddedAccess(dataDir, su, kd);
  }

  static Path superuserPasswordFile(Path dataDir) {
    return dataDir.resolve("postgres_superuser_password");
  }

  static Path keydirPasswordFile(Path dataDir) {
    return dataDir.resolve("postgres_keydir_password");
  }

  boolean isNewCluster() {
    return !Files.exists(pgData.resolve("PG_VERSION"));
  }

  /**
   * Called by zonky after initdb (if any) and before the postmaster starts: the binaries are
   * unpacked by then. A cluster whose {@code pg_hba.conf} is not ours yet gets the superuser's
   * password first (single-user mode), then our {@code pg_hba.conf}.
   */
  void prepareDataDirectory(Path pgBinDir) {
    try {
      PrivateFiles.privateDirectory(socketDir);
      Path hba = pgData.resolve("pg_hba.conf");
      boolean ours =
          Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER);
      if (!ours) {
        LOG.info(
            "securing the embedded PostgreSQL under {}: passwords for every connection", pgData);
        setSuperuserPasswordOffline(pgBinDir);
      }
      PrivateFiles.writePrivate(hba, HBA);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot secure the embedded PostgreSQL under " + pgData, e);
    }
  }

  /** Single-user mode: no listener of any kind while the password is set. */
  private void setSuperuserPasswordOffline(Path pgBinDir) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (runsAsRoot()) cmd.addAll(List.of("unshare", "-U"));
    cmd.addAll(
        List.of(
            pgBinDir.resolve("bin/postgres").toString(),
            "--single",
            "-D",
            pgData.toString(),
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_directories=" + socketDir,
            "postgres"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    // The password reaches the server on stdin, never on a command line another user could read in
    // ps.
    p.getOutputStream()
        .write(
            ("ALTER ROLE postgres WITH PASSWORD '" + superuserPassword + "';\n")
                .getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.contains("ERROR")) {
        throw new IOException(
            "single-user PostgreSQL could not set the superuser password: "
                + out.replace(superuserPassword, "***"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * The unpacked binaries zonky uses: the one folder under its working dir whose major version
   * matches.
   */
  static Path binariesFor(Path workingDir, Path pgData) {
    try (Stream<Path> dirs = Files.list(workingDir)) {
      String major = Files.readString(pgData.resolve("PG_VERSION")).trim();
      return dirs.filter(d -> Files.isExecutable(d.resolve("bin/postgres")))
          .filter(d -> major.equals(majorVersion(d)))
          .findFirst()
          .orElseThrow(
              () -> new IOException("no PostgreSQL " + major + " binaries under " + workingDir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String majorVersion(Path pgDir) {
    try {
      Process p =
          new ProcessBuilder(pgDir.resolve("bin/postgres").toString(), "--version")
              .redirectErrorStream(true)
              .start();
      String v =
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .trim(); // postgres (PostgreSQL) 18.3
      p.waitFor(10, TimeUnit.SECONDS);
      String num = v.substring(v.lastIndexOf(' ') + 1);
      return num.contains(".") ? num.substring(0, num.indexOf('.')) : num;
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  static boolean runsAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
