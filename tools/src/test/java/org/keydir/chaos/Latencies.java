package org.keydir.chaos;

import java.util.Arrays;

/** Every latency of one kind of request, in microseconds, for exact percentiles. */
final class Latencies {
  private int[] micros = new int[1024];
  private int size;

  synchronized void add(long nanos) {
    if (size == micros.length) micros = Arrays.copyOf(micros, size * 2);
    micros[size++] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
  }

  /** {@code q} in [0, 1]; milliseconds. */
  synchronized double percentileMs(double q) {
    if (size == 0) return 0;
    int[] sorted = Arrays.copyOf(micros, size);
    Arrays.sort(sorted);
    int i = (int) Math.min(size - 1, Math.max(0, Math.ceil(q * size) - 1));
    return sorted[i] / 1000.0;
  }

  synchronized int count() {
    return size;
  }
}
