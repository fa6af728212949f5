package org.keydir.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.Optional;
import org.keydir.usecases.AdminJson;
import org.keydir.usecases.AuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keydir audit [--user USER_ID] [--limit N] [--from ID]}: the audit log, newest first. */
@Command(
    name = "audit",
    description = "Show the audit log (admin actions and key resets), newest first.")
final class AuditCommand extends ContextCommand {
  @Option(names = "--user", paramLabel = "USER_ID")
  String userId;

  @Option(names = "--limit", defaultValue = "50")
  int limit;

  @Option(
      names = "--from",
      paramLabel = "ID",
      description = "Show entries older than this id (from a previous page).")
  Long from;

  @Override
  void run(CliContext ctx) {
    AuditLog.Page page =
        ctx.await(
            ctx.services
                .auditLog()
                .list(Optional.ofNullable(userId), Optional.ofNullable(from), limit));
    var json = JsonNodeFactory.instance.objectNode();
    var arr = json.putArray("entries");
    StringBuilder text = new StringBuilder();
    page.entries()
        .forEach(
            e -> {
              arr.add(AdminJson.audit(e));
              text.append(e.id())
                  .append("  ")
                  .append(Instant.ofEpochMilli(e.ts()))
                  .append("  ")
                  .append(e.actor())
                  .append("  ")
                  .append(e.action())
                  .append("  ")
                  .append(e.userId())
                  .append(e.deviceId() == null ? "" : " " + e.deviceId())
                  .append("  ")
                  .append(e.details())
                  .append('\n');
            });
    page.nextFrom()
        .ifPresent(
            n -> {
              json.put("next_from", n);
              text.append("(more: --from ").append(n).append(")\n");
            });
    output.print(out(), json, text.length() == 0 ? "no entries" : text.toString().stripTrailing());
  }
}
