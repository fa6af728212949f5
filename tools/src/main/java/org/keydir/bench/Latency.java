package org.keydir.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latency summary of an HDR histogram (recorded in µs), in milliseconds, with the percentile curve
 * the report plots.
 *
 * @param curve (percentile, ms) points from 0 to 99.99 and the max
 */
record Latency(
    long count,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    double mean,
    List<double[]> curve) {
  private static final double[] CURVE = {
    0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 98.5, 99, 99.25, 99.5,
    99.75, 99.9, 99.95, 99.99, 100
  };

  static Latency of(Histogram h) {
    if (h.getTotalCount() == 0) return new Latency(0, 0, 0, 0, 0, 0, 0, List.of());
    List<double[]> curve = new ArrayList<>();
    for (double p : CURVE) curve.add(new double[] {p, ms(h.getValueAtPercentile(p))});
    return new Latency(
        h.getTotalCount(),
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()),
        h.getMean() / 1000.0,
        curve);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
