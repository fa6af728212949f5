package org.keydir.testing;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Map;
import org.keydir.app.Services;
import org.keydir.config.KeydirConfig;
import org.keydir.store.CitusLayout;
import org.keydir.store.Database;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.Migrations;

/** The use cases over a migrated test database, without an HTTP server (and without listeners). */
public final class TestServices {
  private TestServices() {}

  /** Migrates {@code url} (sharded when on Citus) and wires the services on {@code vertx}. */
  public static Services on(Vertx vertx, String url, Map<String, String> extraEnv) {
    Migrations.apply(DatabaseUrl.parse(url), CitusLayout.Mode.AUTO);
    KeydirConfig cfg = TestKeydir.config(url, extraEnv);
    return Services.wire(
        Database.connect(vertx, DatabaseUrl.parse(url), cfg.database()),
        cfg,
        Clock.systemUTC(),
        org.keydir.keys.RemoteServers.none());
  }
}
