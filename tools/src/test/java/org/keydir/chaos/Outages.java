package org.keydir.chaos;

import java.util.ArrayList;
import java.util.List;

/** When the database was really down: [stop requested, back up], wall-clock milliseconds. */
final class Outages {
  record Window(long fromMs, long toMs) {}

  private final List<Window> windows = new ArrayList<>();
  private long openSince = -1;

  synchronized void begin() {
    openSince = System.currentTimeMillis();
  }

  synchronized void end() {
    windows.add(new Window(openSince, System.currentTimeMillis()));
    openSince = -1;
  }

  /**
   * Whether a request that ran from {@code startMs} to {@code endMs} overlapped an outage (plus
   * slack after it).
   */
  synchronized boolean overlaps(long startMs, long endMs, long slackMs) {
    if (openSince >= 0 && endMs >= openSince) return true;
    for (Window w : windows) {
      if (startMs <= w.toMs + slackMs && endMs >= w.fromMs) return true;
    }
    return false;
  }

  synchronized List<Window> windows() {
    return List.copyOf(windows);
  }
}
