package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploads {@code batch} fresh signed one-time keys for one device per request, going round the
 * devices, never two uploads for one device at once and never past {@code maxStock} stored keys.
 * The counts in each answer are checked against the device's ledger (no key lost, none extra).
 */
final class UploadWorkload implements Workload {
  private final String op;
  private final List<BenchDevice> devices;
  private final int batch;
  private final long maxStock;
  private final AtomicLong cursor = new AtomicLong();

  UploadWorkload(String op, List<BenchDevice> devices, int batch, long maxStock) {
    this.op = op;
    this.devices = devices;
    this.batch = batch;
    this.maxStock = maxStock;
  }

  @Override
  public BenchRequest next() {
    int n = devices.size();
    long start = cursor.getAndIncrement();
    for (int i = 0; i < n; i++) {
      BenchDevice d = devices.get((int) Math.floorMod(start + i, (long) n));
      DeviceLedger.UploadTicket t = d.ledger().reserveUpload(batch, maxStock);
      if (t != null) return request(op, d, t);
    }
    return null;
  }

  /** The upload of a ticket's keys (reserved in the ledger) and its judge. */
  static BenchRequest request(String op, BenchDevice d, DeviceLedger.UploadTicket t) {
    return new BenchRequest(
        op,
        RequestBodies.UPLOAD,
        d.token(),
        RequestBodies.oneTimeKeys(d, t.first(), t.count()),
        (reply, stats) -> judge(op, d, t, reply, stats));
  }

  private static void judge(
      String op,
      BenchDevice d,
      DeviceLedger.UploadTicket t,
      BenchHttp.Reply reply,
      LevelStats stats) {
    d.ledger().uploadAnswered(t.count(), reply.ok());
    if (!reply.ok()) return;
    stats.keys(op, t.count());
    JsonNode body = Json.parse(reply.body());
    JsonNode n = body == null ? null : body.path("one_time_key_counts").get(SignedKeys.ALGORITHM);
    if (n == null || !n.canConvertToLong()) stats.verificationError(LevelStats.BAD_BODY);
    else if (!d.ledger().countAgrees(n.asLong(), t))
      stats.verificationError(LevelStats.COUNT_MISMATCH);
  }
}
