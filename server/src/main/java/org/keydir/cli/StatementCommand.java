package org.keydir.cli;

import java.util.concurrent.Callable;
import org.keydir.store.ClaimStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keydir statement claim-one}: the SQL text keydir sends, for tools that run it bare ({@code
 * bench/run.sh} pgbenches the single-device claim). Hidden: not an operator command.
 */
@Command(
    name = "statement",
    hidden = true,
    description = "Print one of keydir's SQL statements as it sends it (for benchmarks).")
final class StatementCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "claim-one: the single-device claim")
  String name;

  @Override
  public Integer call() {
    if (!name.equals("claim-one")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "unknown statement '" + name + "' (known: claim-one)");
    }
    spec.commandLine().getOut().println(ClaimStore.singleDeviceClaim());
    return 0;
  }
}
