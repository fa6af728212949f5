package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Gets the bench its devices: creates them through keydir's admin API (or takes them from a devices
 * file), makes their keys, and publishes each device's identity keys and fallback key.
 */
final class DeviceSetup {
  /** Signed one-time key objects per device (see {@link SignedKeys}). */
  static final int KEY_POOL = 32;

  private static final int CONCURRENCY = 16;
  private final BenchHttp http;
  private final LevelRunner runner;
  private final RunTotals totals;

  DeviceSetup(BenchHttp http, LevelRunner runner, RunTotals totals) {
    this.http = http;
    this.runner = runner;
    this.totals = totals;
  }

  /** {@code count} new devices of new users {@code @kdbench.<run>.<i>:<serverName>}. */
  List<DeviceCredentials> create(String adminToken, String serverName, int count, String runId) {
    List<DeviceCredentials> created = Collections.synchronizedList(new ArrayList<>());
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<BenchRequest> requests =
        IntStream.range(0, count)
            .mapToObj(
                i -> {
                  String userId = "@kdbench." + runId + "." + i + ":" + serverName;
                  return new BenchRequest(
                      "admin",
                      RequestBodies.ADMIN_DEVICES,
                      adminToken,
                      RequestBodies.createDevice(userId),
                      (reply, stats) -> {
                        JsonNode j = reply.ok() ? Json.parse(reply.body()) : null;
                        if (j == null) failures.add(describe(reply));
                        else
                          created.add(
                              new DeviceCredentials(
                                  j.path("user_id").asText(),
                                  j.path("device_id").asText(),
                                  j.path("access_token").asText()));
                      });
                })
            .toList();
    run(requests);
    if (!failures.isEmpty())
      throw new IllegalStateException("creating devices failed: " + failures.get(0));
    created.sort((a, b) -> a.userId().compareTo(b.userId()));
    return created;
  }

  /** Makes each device's keys and uploads its device keys and fallback key. */
  List<BenchDevice> publishIdentities(List<DeviceCredentials> credentials) {
    SecureRandom random = new SecureRandom();
    List<BenchDevice> devices =
        credentials.parallelStream()
            .map(
                c ->
                    new BenchDevice(
                        c.userId(),
                        c.deviceId(),
                        c.token(),
                        SignedKeys.generate(c.userId(), c.deviceId(), random, KEY_POOL),
                        new DeviceLedger()))
            .toList();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    run(
        devices.stream()
            .map(
                d ->
                    new BenchRequest(
                        "identity",
                        RequestBodies.UPLOAD,
                        d.token(),
                        RequestBodies.identity(d),
                        (reply, stats) -> {
                          JsonNode j = reply.ok() ? Json.parse(reply.body()) : null;
                          if (j == null)
                            failures.add(d.userId() + "|" + d.deviceId() + ": " + describe(reply));
                          else if (j.path("one_time_key_counts")
                                  .path(SignedKeys.ALGORITHM)
                                  .asLong(0)
                              != 0) {
                            failures.add(
                                d.userId()
                                    + "|"
                                    + d.deviceId()
                                    + " already has one-time keys; the bench needs fresh devices");
                          }
                        }))
            .toList());
    if (!failures.isEmpty())
      throw new IllegalStateException("uploading device keys failed: " + failures.get(0));
    return devices;
  }

  private void run(List<BenchRequest> requests) {
    LevelStats stats = new LevelStats("setup", CONCURRENCY);
    runner.run(
        http, new QueueWorkload(requests), CONCURRENCY, RunLimit.ofRequests(Long.MAX_VALUE), stats);
    totals.add(stats);
  }

  static String describe(BenchHttp.Reply reply) {
    if (reply.failure() != null) return reply.failure().toString();
    String body = reply.body().toString();
    return reply.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
  }
}
