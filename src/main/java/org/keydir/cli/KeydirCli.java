package org.keydir.cli;

import org.keydir.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keydir <command>}: the entry point of the jar. */
@Command(
    name = "keydir",
    mixinStandardHelpOptions = true,
    version = "keydir 0.1.0",
    description = "End-to-end-encryption key directory for a Matrix homeserver.",
    subcommands = {
      ServeCommand.class,
      MigrateCommand.class,
      DeviceCommand.class,
      AuditCommand.class,
      ServerKeysCommand.class,
      CrossSigningCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class KeydirCli {
  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      // one-shot commands print their result; keep library chatter (embedded Postgres, Flyway) out
      // of it
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cli =
        new CommandLine(new KeydirCli()).setExecutionExceptionHandler(new CliErrors());
    withHelp(cli);
    return cli.execute(args);
  }

  /** {@code --help} (and {@code -h}) on every command and subcommand, not only at the top. */
  private static void withHelp(CommandLine cli) {
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (!sub.getCommandSpec().mixinStandardHelpOptions())
        sub.getCommandSpec().mixinStandardHelpOptions(true);
      withHelp(sub);
    }
  }
}
