package org.keydir.cli;

import java.io.PrintWriter;
import java.util.Map;
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
      StatementCommand.class,
      CommandLine.HelpCommand.class
    })
public final class KeydirCli {
  /**
   * Where the configuration's {@code KEYDIR_*} variables come from (tests run the CLI in-process).
   */
  final Map<String, String> env;

  private KeydirCli(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      // one-shot commands print their result; keep library chatter (embedded Postgres, Flyway) out
      // of it
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(args));
  }

  public static int run(String... args) {
    return command(System.getenv()).execute(args);
  }

  /** The CLI in this process, with {@code env} for the environment and its output captured. */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = command(env);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  private static CommandLine command(Map<String, String> env) {
    CommandLine cli =
        new CommandLine(new KeydirCli(Map.copyOf(env)))
            .setExecutionExceptionHandler(new CliErrors());
    withHelp(cli);
    return cli;
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
