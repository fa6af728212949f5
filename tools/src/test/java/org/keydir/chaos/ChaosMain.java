package org.keydir.chaos;

/**
 * The chaos harness from the command line (see {@link ChaosOptions#USAGE} and docs/testing.md
 * "Chaos harness"). Exit code 0: no violation; 1: violations; 2: bad usage or the harness itself
 * failed.
 */
public final class ChaosMain {
  private ChaosMain() {}

  public static void main(String[] args) {
    ChaosOptions options;
    try {
      options = ChaosOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      ChaosReport report = new ChaosRun(options, System.out).run();
      Summary.print(report, System.out);
      System.exit(report.violationCount() == 0 ? 0 : 1);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(2);
    }
  }
}
