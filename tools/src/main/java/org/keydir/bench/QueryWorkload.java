package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queries the device keys of {@code perRequest} devices per request; each must come back with its
 * ed25519 key.
 */
final class QueryWorkload implements Workload {
  private final String op;
  private final List<BenchDevice> devices;
  private final int perRequest;
  private final AtomicLong cursor = new AtomicLong();

  QueryWorkload(String op, List<BenchDevice> devices, int perRequest) {
    this.op = op;
    this.devices = devices;
    this.perRequest = Math.min(perRequest, devices.size());
  }

  @Override
  public BenchRequest next() {
    int n = devices.size();
    long start = cursor.getAndAdd(perRequest);
    List<BenchDevice> picked = new ArrayList<>(perRequest);
    for (int i = 0; i < perRequest; i++)
      picked.add(devices.get((int) Math.floorMod(start + i, (long) n)));
    String token = devices.get((int) Math.floorMod(start + n - 1, (long) n)).token();
    return new BenchRequest(
        op,
        RequestBodies.QUERY,
        token,
        RequestBodies.query(picked),
        (reply, stats) -> judge(picked, reply, stats));
  }

  private void judge(List<BenchDevice> picked, BenchHttp.Reply reply, LevelStats stats) {
    if (!reply.ok()) return;
    JsonNode body = Json.parse(reply.body());
    if (body == null) {
      stats.verificationError(LevelStats.BAD_BODY);
      return;
    }
    int found = 0;
    for (BenchDevice d : picked) {
      JsonNode ed =
          body.path("device_keys")
              .path(d.userId())
              .path(d.deviceId())
              .path("keys")
              .path("ed25519:" + d.deviceId());
      if (ed.isTextual() && ed.textValue().equals(d.keys().ed25519())) found++;
      else stats.verificationError(LevelStats.MISSING_DEVICE);
    }
    stats.keys(op, found);
  }
}
