package org.keydir.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.keydir.app.Keydir;
import org.keydir.config.ConfigLoader;
import org.keydir.config.KeydirConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "serve", description = "Run keydir (embedded PostgreSQL unless database.url is set).")
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    ConfigLoader.unknownEnvironmentNames(System.getenv())
        .forEach(name -> LOG.warn("ignoring unknown environment variable {}", name));
    KeydirConfig cfg = config.load();
    Keydir keydir = Keydir.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      keydir.close();
      stopped.countDown();
    }, "keydir-shutdown"));
    stopped.await();
    return 0;
  }
}
