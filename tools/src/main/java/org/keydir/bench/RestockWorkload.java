package org.keydir.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One round of topping devices up to {@code target} keys: at most one upload (of at most {@code
 * chunk} keys) per device that is short. Run rounds until {@link #devicesShort()} is zero.
 */
final class RestockWorkload implements Workload {
  private final List<BenchDevice> devices;
  private final long target;
  private final int chunk;
  private final AtomicInteger index = new AtomicInteger();

  RestockWorkload(List<BenchDevice> devices, long target, int chunk) {
    this.devices = devices;
    this.target = target;
    this.chunk = chunk;
  }

  @Override
  public BenchRequest next() {
    for (int i = index.getAndIncrement(); i < devices.size(); i = index.getAndIncrement()) {
      BenchDevice d = devices.get(i);
      long need = Math.min(chunk, target - d.ledger().stock());
      if (need <= 0) continue;
      DeviceLedger.UploadTicket t = d.ledger().reserveUpload((int) need, target);
      if (t != null) return UploadWorkload.request("restock", d, t);
    }
    return null;
  }

  /** Devices still below the target. */
  long devicesShort() {
    return devices.stream().filter(d -> d.ledger().stock() < target).count();
  }
}
