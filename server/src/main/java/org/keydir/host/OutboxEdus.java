package org.keydir.host;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.DeviceListChange;
import org.keydir.keys.QueriedDevice;
import org.keydir.store.OutboxStore;
import org.keydir.usecases.KeyQueries;

/**
 * Turns a destination's queued changes into EDUs (server-server spec "Device Management"): {@code
 * m.device_list_update} for a device's change or deletion, with {@code stream_id} and {@code
 * prev_id} chained per user (the previous stream id this destination was sent for the user), {@code
 * deleted} for a deleted device and the device's keys as they are now; and {@code
 * m.signing_key_update} for cross-signing changes, with the master and self-signing keys as they
 * are now. Pure: the rows, the users' current devices and the heads in, EDUs and new heads out.
 */
public final class OutboxEdus {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  public record Built(List<ObjectNode> edus, Map<String, Long> heads) {}

  private OutboxEdus() {}

  public static Built build(
      List<OutboxStore.Row> rows,
      Map<String, KeyQueries.UserDevices> users,
      Map<String, Long> heads) {
    Map<String, Long> next = new HashMap<>(heads);
    List<ObjectNode> edus = new ArrayList<>();
    for (OutboxStore.Row r : rows) {
      KeyQueries.UserDevices now = users.get(r.userId());
      DeviceListChange.Kind kind = DeviceListChange.Kind.ofWire(r.kind());
      if (kind == DeviceListChange.Kind.DEVICE || kind == DeviceListChange.Kind.DEVICE_DELETED) {
        if (r.deviceId().isEmpty()) continue;
        ObjectNode c =
            F.objectNode()
                .put("user_id", r.userId())
                .put("device_id", r.deviceId().get())
                .put("stream_id", r.streamId());
        ArrayNode prev = c.putArray("prev_id");
        Long head = next.get(r.userId());
        if (head != null) prev.add(head);
        QueriedDevice device =
            now == null
                ? null
                : now.devices().stream()
                    .filter(d -> d.deviceId().equals(r.deviceId().get()))
                    .findFirst()
                    .orElse(null);
        if (kind == DeviceListChange.Kind.DEVICE_DELETED || device == null) {
          c.put("deleted", true); // deleted then, or since (its own deletion entry follows)
        } else {
          if (device.keyJson() != null) c.set("keys", CanonicalJson.parse(device.keyJson()));
          if (device.displayName() != null) c.put("device_display_name", device.displayName());
        }
        next.put(r.userId(), r.streamId());
        edus.add(edu("m.device_list_update", c));
      } else {
        ObjectNode c = F.objectNode().put("user_id", r.userId());
        if (now != null) {
          String master = now.crossSigning().get("master");
          String selfSigning = now.crossSigning().get("self_signing");
          if (master != null) c.set("master_key", CanonicalJson.parse(master));
          if (selfSigning != null) c.set("self_signing_key", CanonicalJson.parse(selfSigning));
        }
        edus.add(edu("m.signing_key_update", c));
      }
    }
    return new Built(edus, next);
  }

  private static ObjectNode edu(String type, ObjectNode content) {
    ObjectNode e = F.objectNode().put("edu_type", type);
    e.set("content", content);
    return e;
  }
}
