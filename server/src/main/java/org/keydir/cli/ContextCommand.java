package org.keydir.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * A command that runs against the configured database: {@code --config}, {@code --json}, one {@link
 * CliContext}.
 */
abstract class ContextCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Mixin OutputOptions output;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  abstract void run(CliContext ctx);

  @Override
  public Integer call() {
    try (CliContext ctx = CliContext.open(config.load())) {
      run(ctx);
    }
    return 0;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
