package org.keydir.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import org.keydir.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keydir cross-signing allow-replacement USER_ID [--for 10m]}: the operator's approval (audited). */
@Command(name = "cross-signing", description = "Operator actions on users' cross-signing identities.",
    subcommands = {CrossSigningCommand.AllowReplacement.class})
final class CrossSigningCommand {
  @Command(name = "allow-replacement",
      description = "Let the user's next cross-signing key replacement through, within the window (default 10m, at most 1h).")
  static final class AllowReplacement extends ContextCommand {
    @Parameters(index = "0", paramLabel = "USER_ID") String userId;
    @Option(names = "--for", defaultValue = "10m", paramLabel = "DURATION") String window;

    @Override
    void run(CliContext ctx) {
      long forMs = Durations.parse(window, "--for").toMillis();
      long until = ctx.await(ctx.services.crossSigningAdmin().allowReplacement(ctx.actor, userId, forMs));
      output.print(out(), JsonNodeFactory.instance.objectNode().put("user_id", userId).put("expires_ts", until),
          "replacement allowed for " + userId + " until " + Instant.ofEpochMilli(until));
    }
  }
}
