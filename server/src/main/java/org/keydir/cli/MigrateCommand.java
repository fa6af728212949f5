package org.keydir.cli;

import java.util.concurrent.Callable;
import org.keydir.config.KeydirConfig;
import org.keydir.store.CitusLayout;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.EmbeddedDatabase;
import org.keydir.store.Migrations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "migrate",
    description = "Apply the schema migrations to the configured database and exit.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    KeydirConfig cfg = config.load();
    if (cfg.database().embedded()) {
      // beside a serving keydir: its embedded server, attached (Flyway's lock serialises migrators)
      try (EmbeddedDatabase db = EmbeddedDatabase.attachOrStart(cfg.dataPath())) {
        Migrations.apply(DatabaseUrl.parse(db.url()), CitusLayout.Mode.OFF);
      }
    } else {
      Migrations.apply(
          DatabaseUrl.parse(cfg.database().url()), CitusLayout.Mode.of(cfg.database().citus()));
    }
    return 0;
  }
}
