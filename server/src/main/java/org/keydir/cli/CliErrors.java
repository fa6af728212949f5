package org.keydir.cli;

import org.keydir.config.ConfigException;
import picocli.CommandLine;

/**
 * Errors are one clear line on stderr, not a stack trace: exit 2 for configuration and usage
 * errors, 1 for a refused operation (unknown device, invalid id, …).
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed)
      throws Exception {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException ce) {
        cmd.getErr().println("keydir: configuration error: " + ce.getMessage());
        return 2;
      }
      if (t instanceof org.keydir.store.DatabaseAtStart.Unavailable u) {
        cmd.getErr().println("keydir: " + u.getMessage());
        return 1;
      }
      if (t instanceof org.keydir.keys.KeydirException ke) {
        cmd.getErr().println("keydir: " + ke.getMessage());
        return 1;
      }
      if (t instanceof CommandLine.ParameterException pe) {
        cmd.getErr().println("keydir: " + pe.getMessage());
        return 2;
      }
    }
    throw e;
  }
}
