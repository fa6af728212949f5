package org.keydir.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.keydir.app.Keydir;
import org.keydir.config.KeydirConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "serve",
    description = "Run keydir (embedded PostgreSQL unless database.url is set).")
final class ServeCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    KeydirConfig cfg = config.load();
    Keydir keydir = Keydir.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  keydir.close();
                  stopped.countDown();
                },
                "keydir-shutdown"));
    stopped.await();
    return 0;
  }
}
