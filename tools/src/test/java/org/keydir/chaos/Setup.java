package org.keydir.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Before any fault: the devices (two per user) are created through the admin API, upload their
 * device keys and a first fallback key, so every later claim for them must hand out something.
 */
final class Setup {
  private Setup() {}

  static World devices(
      int count,
      String runId,
      String serverName,
      ChaosClient client,
      Journal journal,
      Violations violations) {
    List<ChaosDevice> devices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String userId = "@chaos-" + runId + "-u" + (i / 2) + ":" + serverName;
      String deviceId = "DEV" + i;
      ObjectNode req =
          JsonNodeFactory.instance.objectNode().put("user_id", userId).put("device_id", deviceId);
      Exchange ex =
          ok(
              client.post(
                  "setup_device",
                  "/_keydir/admin/v1/devices",
                  KeydirProcess.ADMIN_TOKEN,
                  req.toString(),
                  null));
      devices.add(
          new ChaosDevice(i, userId, deviceId, ex.json().path("access_token").asText(), runId));
    }
    List<DeviceLedger> ledgers = devices.stream().map(DeviceLedger::new).toList();
    World world = new World(List.copyOf(devices), ledgers, journal, violations);
    Uploads uploads = new Uploads(world);
    for (ChaosDevice d : devices) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("device_keys", d.deviceKeys());
      ok(
          client.post(
              "upload",
              ChaosClient.UPLOAD,
              d.token,
              body.toString(),
              line -> line.put("device", d.label())));
      uploads.fallbackKey(client, d);
      if (d.allocatedFallbacks() != 1
          || world.ledger(d).fallbackUploads().get(0).outcome() != Outcome.OK) {
        throw new IllegalStateException(
            "setup: the first fallback key of " + d.label() + " was not stored");
      }
    }
    return world;
  }

  private static Exchange ok(ChaosClient.Sent s) {
    if (!s.ex().ok()) throw new IllegalStateException("setup request failed: " + s.ex().describe());
    return s.ex();
  }
}
