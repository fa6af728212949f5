package org.keydir.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.keydir.serverkeys.Op;
import org.keydir.store.ServerKeyStore;
import org.keydir.usecases.ServerKeyAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code keydir server-keys list|rotate|revoke}: the homeserver's signing keys (audited). */
@Command(
    name = "server-keys",
    description = "List, rotate early or revoke the server's signing keys.",
    subcommands = {
      ServerKeysCommand.ListKeys.class,
      ServerKeysCommand.Rotate.class,
      ServerKeysCommand.Revoke.class
    })
final class ServerKeysCommand {

  abstract static class Base extends ContextCommand {
    void printOps(List<Op> ops) {
      ObjectNode json = JsonNodeFactory.instance.objectNode();
      var arr = json.putArray("operations");
      ops.forEach(op -> arr.add(op.toString()));
      output.print(
          out(),
          json,
          ops.isEmpty()
              ? "nothing to do"
              : String.join("\n", ops.stream().map(Op::toString).toList()));
    }
  }

  @Command(
      name = "list",
      description = "Every signing key with its state and times (never private material).")
  static final class ListKeys extends Base {
    @Override
    void run(CliContext ctx) {
      List<ServerKeyStore.StoredKey> keys = ctx.await(ctx.serverKeys().list());
      var json = ServerKeyAdmin.toJson(keys);
      StringBuilder text = new StringBuilder();
      keys.forEach(
          k ->
              text.append(k.key().keyId())
                  .append("  ")
                  .append(k.key().state().name().toLowerCase(java.util.Locale.ROOT))
                  .append("  published ")
                  .append(k.key().createdAt())
                  .append(
                      k.key().activatedAt() == null
                          ? ""
                          : "  active since " + k.key().activatedAt())
                  .append(k.key().expiredAt() == null ? "" : "  expired " + k.key().expiredAt())
                  .append(k.key().revokedAt() == null ? "" : "  revoked " + k.key().revokedAt())
                  .append('\n'));
      output.print(
          out(), json, text.length() == 0 ? "no signing keys yet" : text.toString().strip());
    }
  }

  @Command(
      name = "rotate",
      description =
          "Rotate early: the next key signs as soon as it has been published long enough.")
  static final class Rotate extends Base {
    @Override
    void run(CliContext ctx) {
      printOps(ctx.await(ctx.serverKeys().rotateEarly(ctx.actor)));
    }
  }

  @Command(name = "revoke", description = "Revoke a key: never used, published or accepted again.")
  static final class Revoke extends Base {
    @Parameters(index = "0", paramLabel = "KEY_ID")
    String keyId;

    @Override
    void run(CliContext ctx) {
      printOps(ctx.await(ctx.serverKeys().revoke(ctx.actor, keyId)));
    }
  }
}
