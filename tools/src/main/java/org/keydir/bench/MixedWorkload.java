package org.keydir.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key directory's everyday traffic, in a fixed rotation of ten: five single claims, four queries
 * and one upload of {@link BenchOptions#MIXED_UPLOAD_BATCH} keys (a client topping up). When a kind
 * has nothing to send (no key left to claim, every device full), another kind goes.
 */
final class MixedWorkload implements Workload {
  private final Workload claims;
  private final Workload queries;
  private final Workload uploads;
  private final AtomicLong turn = new AtomicLong();

  MixedWorkload(List<BenchDevice> devices, int queryUsers, long maxStock) {
    this.claims = new ClaimWorkload("claim", devices, 1);
    this.queries = new QueryWorkload("query", devices, queryUsers);
    this.uploads = new UploadWorkload("upload", devices, BenchOptions.MIXED_UPLOAD_BATCH, maxStock);
  }

  @Override
  public BenchRequest next() {
    int t = (int) (turn.getAndIncrement() % 10);
    Workload first = t < 5 ? claims : t < 9 ? queries : uploads;
    BenchRequest r = first.next();
    if (r == null && first == claims)
      return null; // out of keys: the stock planning was wrong, stop
    return r != null ? r : claims.next();
  }
}
