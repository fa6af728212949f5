package org.keydir.bench;

import picocli.CommandLine;

/** The tools jar's entry point: {@code keydir bench …} ({@code ./keydir bench} runs it). */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new BenchCommand()).setCommandName("keydir bench").execute(args);
  }
}
