package org.keydir.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A wait on the thing itself instead of a sleep: "still not answered after this long". */
public final class Pending {
  private Pending() {}

  public static void stillPendingAfter(CompletableFuture<?> f, Duration d, String what)
      throws InterruptedException {
    try {
      Object answer = f.get(d.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError(what + ": answered within " + d + " (should still wait): " + answer);
    } catch (TimeoutException stillWaiting) {
      // as it should be
    } catch (ExecutionException e) {
      throw new AssertionError(what + ": failed within " + d, e.getCause());
    }
  }
}
