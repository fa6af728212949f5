package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Set;
import org.keydir.crypto.JsonSigning;

/**
 * Device-key queries for a few users: every device of theirs must come back with its own,
 * self-signed keys.
 */
final class Queries {
  private final World world;

  Queries(World world) {
    this.world = world;
  }

  void query(ChaosClient c) {
    Set<String> users = new LinkedHashSet<>();
    int want = 1 + c.rnd.nextInt(3);
    for (int i = 0; i < want; i++) users.add(world.anyDevice(c.rnd).userId);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode wanted = body.putObject("device_keys");
    users.forEach(u -> wanted.putArray(u));
    ChaosClient.Sent s =
        c.post(
            "query",
            ChaosClient.QUERY,
            world.anyDevice(c.rnd).token,
            body.toString(),
            line -> line.put("users", String.join(" ", users)));
    if (!s.ex().ok()) return;
    JsonNode got = s.ex().json().path("device_keys");
    for (ChaosDevice d : world.devices()) {
      if (!users.contains(d.userId)) continue;
      JsonNode keys = got.path(d.userId).path(d.deviceId);
      boolean ours =
          keys.isObject()
              && d.ed25519().equals(keys.path("keys").path("ed25519:" + d.deviceId).asText(null))
              && JsonSigning.verify(
                  keys,
                  d.userId,
                  "ed25519:" + d.deviceId,
                  JsonSigning.decodePublicKey(d.ed25519()));
      if (!ours) {
        world
            .violations()
            .add(
                "a query answered 200 without the device's own signed keys",
                "#" + s.seq() + " " + d.label() + ": " + keys);
      }
    }
  }
}
