package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Claims, single and bulk (several devices, several users, one request), by a random device's
 * token. Every key handed out is checked on the spot (ours, with our signature, right kind) and
 * recorded; a second hand-out of a one-time key is reported at once. Every device we claim for has
 * a fallback key, so a 200 that hands a device nothing is a violation.
 */
final class Claims {
  private final World world;

  Claims(World world) {
    this.world = world;
  }

  void claim(ChaosClient c, int devices) {
    List<ChaosDevice> targets = new ArrayList<>();
    while (targets.size() < devices) {
      ChaosDevice d = world.anyDevice(c.rnd);
      if (!targets.contains(d)) targets.add(d);
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode wanted = body.putObject("one_time_keys");
    for (ChaosDevice d : targets) {
      ObjectNode user =
          wanted.has(d.userId) ? (ObjectNode) wanted.get(d.userId) : wanted.putObject(d.userId);
      user.put(d.deviceId, ChaosDevice.ALGORITHM);
    }
    if (c.rnd.nextBoolean()) body.put("timeout", 10_000);
    String op = devices == 1 ? "claim" : "claim_bulk";
    ChaosClient.Sent s =
        c.post(
            op,
            ChaosClient.CLAIM,
            world.anyDevice(c.rnd).token,
            body.toString(),
            line ->
                line.put(
                    "devices",
                    String.join(" ", targets.stream().map(ChaosDevice::label).toList())));
    if (s.ex().ok()) {
      JsonNode keys = s.ex().json().path("one_time_keys");
      for (ChaosDevice d : targets) handedOut(d, keys.path(d.userId).path(d.deviceId), s);
      checkNothingElse(keys, targets, s);
    } else if (s.ex().outcome().unknown()) {
      targets.forEach(d -> world.ledger(d).claimWithUnknownOutcome(s.ex()));
    }
  }

  private void handedOut(ChaosDevice d, JsonNode got, ChaosClient.Sent s) {
    String where = "#" + s.seq() + " " + d.label();
    if (!got.isObject() || got.size() != 1) {
      world
          .violations()
          .add(
              "a claim answered 200 handed a device no key although it has a fallback key",
              where + ": " + s.ex().body());
      return;
    }
    Map.Entry<String, JsonNode> e = got.properties().iterator().next();
    int k = World.number(e.getKey(), 'K');
    int f = World.number(e.getKey(), 'F');
    DeviceLedger ledger = world.ledger(d);
    if (k >= 0 && k < d.allocatedKeys() && d.isOurs("K" + k, e.getValue(), false)) {
      long earlier = ledger.handedOut(k, s.ex(), s.seq());
      if (earlier >= 0) {
        world
            .violations()
            .add(
                "a one-time key was handed out twice",
                d.label() + " " + e.getKey() + " by #" + earlier + " and by #" + s.seq());
      }
    } else if (f >= 0 && f < d.allocatedFallbacks() && d.isOurs("F" + f, e.getValue(), true)) {
      ledger.fallbackHandedOut(f);
    } else {
      world
          .violations()
          .add(
              "a claim handed out a key that is not one the device uploaded (id, content or signature)",
              where + ": " + e.getKey() + " = " + e.getValue());
    }
  }

  private void checkNothingElse(JsonNode keys, List<ChaosDevice> targets, ChaosClient.Sent s) {
    for (Iterator<Map.Entry<String, JsonNode>> users = keys.fields(); users.hasNext(); ) {
      Map.Entry<String, JsonNode> u = users.next();
      for (Iterator<String> ids = u.getValue().fieldNames(); ids.hasNext(); ) {
        String deviceId = ids.next();
        ChaosDevice d = world.find(u.getKey(), deviceId);
        if (d == null || !targets.contains(d)) {
          world
              .violations()
              .add(
                  "a claim answered for a device it was not asked about",
                  "#" + s.seq() + " " + u.getKey() + "/" + deviceId);
        }
      }
    }
  }
}
