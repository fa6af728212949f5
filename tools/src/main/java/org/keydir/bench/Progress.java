package org.keydir.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Live progress of the level that is running: a bar redrawn in place on a terminal, or a plain line
 * every few seconds otherwise (logs, CI); one summary line per finished level either way.
 */
final class Progress implements AutoCloseable {
  private static final int BAR = 30;
  private final PrintStream out;
  private final boolean terminal;
  private final boolean quiet;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
          });
  private ScheduledFuture<?> tick;

  Progress(PrintStream out, boolean terminal, boolean quiet) {
    this.out = out;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  /** A bar when stdout is a terminal. */
  static Progress forConsole(boolean quiet) {
    return new Progress(System.out, System.console() != null, quiet);
  }

  void info(String line) {
    if (!quiet) out.println(line);
  }

  synchronized void start(String label, RunLimit limit, LevelStats stats) {
    stop();
    if (quiet) return;
    if (!terminal) out.println(label + ": running for " + limit);
    long every = terminal ? 200 : 2000;
    tick =
        ticker.scheduleAtFixedRate(
            () -> draw(label, limit, stats), every, every, TimeUnit.MILLISECONDS);
  }

  synchronized void done(String line) {
    stop();
    if (quiet) return;
    if (terminal) out.print("\r\u001b[K");
    out.println(line);
  }

  private void draw(String label, RunLimit limit, LevelStats stats) {
    double secs = stats.elapsedSeconds();
    long n = stats.completed();
    double frac =
        limit.byRequests()
            ? (double) n / limit.requests()
            : secs * 1000 / limit.duration().toMillis();
    frac = Math.max(0, Math.min(1, frac));
    String figures =
        String.format(
            Locale.ROOT,
            "%s %5.1fs %8d req %8.0f req/s  errors %d  empty %d",
            label,
            secs,
            n,
            secs > 0 ? n / secs : 0,
            stats.errors(),
            stats.emptyClaims());
    synchronized (this) {
      if (terminal) {
        int filled = (int) Math.round(frac * BAR);
        out.print("\r\u001b[K[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] " + figures);
        out.flush();
      } else {
        out.println(figures);
      }
    }
  }

  private void stop() {
    if (tick != null) tick.cancel(false);
    tick = null;
  }

  @Override
  public void close() {
    stop();
    ticker.shutdownNow();
  }
}
