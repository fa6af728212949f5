package org.keydir.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import org.keydir.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keydir cross-signing allow-replacement USER_ID [--for 10m]}: the operator's approval
 * (audited).
 */
@Command(
    name = "cross-signing",
    description = "Operator actions on users' cross-signing identities.",
    subcommands = {
      CrossSigningCommand.AllowReplacement.class,
      CrossSigningCommand.Show.class,
      CrossSigningCommand.Delete.class
    })
final class CrossSigningCommand {
  @Command(
      name = "show",
      description = "The user's cross-signing public keys and which keys signed them.")
  static final class Show extends ContextCommand {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Override
    void run(CliContext ctx) {
      var json = ctx.await(ctx.services.crossSigningAdmin().show(userId));
      StringBuilder text = new StringBuilder();
      for (String usage : new String[] {"master", "self_signing", "user_signing"}) {
        var k = json.path(usage);
        if (k.isMissingNode()) continue;
        text.append(usage)
            .append("  ")
            .append(k.path("public_key").asText())
            .append("  signed by: ");
        k.path("signed_by").forEach(s -> text.append(s.asText()).append("; "));
        text.append('\n');
      }
      output.print(
          out(), json, text.length() == 0 ? "no cross-signing keys" : text.toString().strip());
    }
  }

  @Command(
      name = "delete",
      description =
          "Delete the user's cross-signing keys and the signatures on and by them (audited).")
  static final class Delete extends ContextCommand {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Override
    void run(CliContext ctx) {
      int n = ctx.await(ctx.services.crossSigningAdmin().delete(ctx.actor, userId));
      output.print(
          out(),
          JsonNodeFactory.instance.objectNode().put("deleted", n),
          n + " cross-signing keys deleted");
    }
  }

  @Command(
      name = "allow-replacement",
      description =
          "Let the user's next cross-signing key replacement through, within the window (default 10m, at most 1h).")
  static final class AllowReplacement extends ContextCommand {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Option(names = "--for", defaultValue = "10m", paramLabel = "DURATION")
    String window;

    @Override
    void run(CliContext ctx) {
      long forMs = Durations.parse(window, "--for").toMillis();
      long until =
          ctx.await(ctx.services.crossSigningAdmin().allowReplacement(ctx.actor, userId, forMs));
      output.print(
          out(),
          JsonNodeFactory.instance.objectNode().put("user_id", userId).put("expires_ts", until),
          "replacement allowed for " + userId + " until " + Instant.ofEpochMilli(until));
    }
  }
}
