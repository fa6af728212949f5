package org.keydir.cli;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.keydir.app.Services;
import org.keydir.config.KeydirConfig;
import org.keydir.store.CitusLayout;
import org.keydir.store.Database;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;
import org.keydir.store.Migrations;
import org.keydir.usecases.ServerKeyAdmin;

/**
 * The domain services against the configured database, for one CLI command: the configured URL, or
 * the embedded PostgreSQL of the data folder (attached if a keydir is serving it, else started for
 * the command and stopped after).
 */
final class CliContext implements AutoCloseable {
  final Services services;
  final String actor = "cli:" + System.getProperty("user.name", "unknown");
  private final Optional<EmbeddedDatabase> embedded;
  private final Vertx vertx;
  private final KeydirConfig cfg;

  private CliContext(
      Services services, Optional<EmbeddedDatabase> embedded, Vertx vertx, KeydirConfig cfg) {
    this.services = services;
    this.embedded = embedded;
    this.vertx = vertx;
    this.cfg = cfg;
  }

  /** Signing-key operations; they need the key-encryption key, so it is resolved only here. */
  ServerKeyAdmin serverKeys() {
    return services.serverKeys().get().admin();
  }

  static CliContext open(KeydirConfig cfg) {
    Optional<EmbeddedDatabase> embedded =
        cfg.database().embedded()
            ? Optional.of(EmbeddedDatabase.attachOrStart(cfg.dataPath()))
            : Optional.empty();
    DatabaseUrl url =
        DatabaseUrl.parse(embedded.map(EmbeddedDatabase::url).orElse(cfg.database().url()));
    Migrations.apply(url, CitusLayout.Mode.of(cfg.database().citus()));
    Vertx vertx = Vertx.vertx();
    Database db = Database.connect(vertx, url, cfg.database());
    return new CliContext(
        Services.wire(db, cfg, Clock.systemUTC(), org.keydir.keys.RemoteServers.none()),
        embedded,
        vertx,
        cfg);
  }

  /** Waits for a domain result (the CLI is a plain blocking program; no event loop is blocked). */
  <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the database did not answer within 60 s", e);
    }
  }

  @Override
  public void close() {
    try {
      services.database().close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // exiting anyway
    }
    embedded.ifPresent(EmbeddedDatabase::close);
  }
}
