package org.keydir.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the bench sent and every problem it found over the whole run: setup, re-stocking,
 * warm-ups and measured levels alike (a key handed out twice during a warm-up is still reported).
 */
final class RunTotals {
  private final Map<String, Long> requestsByOp = new TreeMap<>();
  private final Map<String, Long> keysByOp = new TreeMap<>();
  private final Map<String, Long> errorsByStatus = new TreeMap<>();
  private final Map<String, Long> verificationErrors = new TreeMap<>();
  private long emptyClaims;

  synchronized void add(LevelStats s) {
    s.ops()
        .forEach(
            (op, o) -> {
              requestsByOp.merge(op, o.requests.sum(), Long::sum);
              keysByOp.merge(op, o.keys.sum(), Long::sum);
            });
    s.errorsByStatus().forEach((k, v) -> errorsByStatus.merge(k, v, Long::sum));
    s.verificationErrors().forEach((k, v) -> verificationErrors.merge(k, v, Long::sum));
    emptyClaims += s.emptyClaims();
  }

  synchronized void verificationError(String kind, long n) {
    if (n > 0) verificationErrors.merge(kind, n, Long::sum);
  }

  synchronized Map<String, Long> requestsByOp() {
    return new TreeMap<>(requestsByOp);
  }

  synchronized Map<String, Long> keysByOp() {
    return new TreeMap<>(keysByOp);
  }

  synchronized Map<String, Long> errorsByStatus() {
    return new TreeMap<>(errorsByStatus);
  }

  synchronized Map<String, Long> verificationErrors() {
    return new TreeMap<>(verificationErrors);
  }

  synchronized long emptyClaims() {
    return emptyClaims;
  }
}
