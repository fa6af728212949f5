package org.keydir.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Claims one key from each of {@code perRequest} distinct devices per request (1: a single claim;
 * {@code --bulk}: a bulk claim), starting at a random device (as the pgbench claim script does) and
 * taking the next ones; concurrent claims therefore meet on the same devices now and then (bulk
 * claims often). Only devices with a key left for the claim (a reservation in their ledger) are
 * asked, so no claim can come back empty legitimately.
 */
final class ClaimWorkload implements Workload {
  private final String op;
  private final List<BenchDevice> devices;
  private final int perRequest;

  ClaimWorkload(String op, List<BenchDevice> devices, int perRequest) {
    if (perRequest > devices.size())
      throw new IllegalArgumentException("more devices per claim than devices");
    this.op = op;
    this.devices = devices;
    this.perRequest = perRequest;
  }

  @Override
  public BenchRequest next() {
    int n = devices.size();
    long start = ThreadLocalRandom.current().nextInt(n);
    List<BenchDevice> picked = new ArrayList<>(perRequest);
    for (int i = 0; i < n && picked.size() < perRequest; i++) {
      BenchDevice d = devices.get((int) Math.floorMod(start + i, (long) n));
      if (d.ledger().reserveClaim()) picked.add(d);
    }
    if (picked.size() < perRequest) {
      picked.forEach(d -> d.ledger().cancelClaim());
      return null;
    }
    // The claimer is another device, as in a real client opening Olm sessions.
    String token = devices.get((int) Math.floorMod(start + n - 1, (long) n)).token();
    return new BenchRequest(
        op,
        RequestBodies.CLAIM,
        token,
        RequestBodies.claim(picked),
        (reply, stats) -> ClaimVerifier.judge(op, picked, reply, stats));
  }
}
