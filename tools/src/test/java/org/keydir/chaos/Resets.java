package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The desync listing and MSC4162 resets. A key_ids reset names keys the listing just showed (some
 * claimed meanwhile), or recent ids (some claimed, some never stored), and now and then an id that
 * never existed. A reset of all that answers 200 must leave 0 keys: uploads wait for its device
 * lock. A listing must show only keys the device uploaded, and none handed out before it began.
 */
final class Resets {
  private final World world;

  Resets(World world) {
    this.world = world;
  }

  /** GET the device's stored one-time key ids (first page); null if not answered 200. */
  List<Integer> list(ChaosClient c, ChaosDevice d) {
    ChaosClient.Sent s =
        c.get(
            "list",
            ChaosClient.LIST + "?limit=1000",
            d.token,
            line -> line.put("device", d.label()));
    if (!s.ex().ok()) return null;
    List<Integer> out = new ArrayList<>();
    DeviceLedger ledger = world.ledger(d);
    for (JsonNode k : s.ex().json().path("one_time_keys")) {
      String id = k.path("key_id").asText("");
      int n = World.number(id, 'K');
      if (n < 0 || n >= d.allocatedKeys()) {
        world
            .violations()
            .add(
                "the listing shows a one-time key the device never uploaded",
                "#" + s.seq() + " " + id);
        continue;
      }
      long handedOutBy = handedOutBefore(ledger, n, s.ex().startMs());
      if (handedOutBy >= 0) {
        world
            .violations()
            .add(
                "the listing shows a key handed out before the listing began",
                "#"
                    + s.seq()
                    + " "
                    + d.label()
                    + " "
                    + id
                    + " (handed out by #"
                    + handedOutBy
                    + ")");
      }
      out.add(n);
    }
    return out;
  }

  /**
   * The journal sequence of the claim that handed key n out, if its answer came before {@code ms};
   * else -1.
   */
  private static long handedOutBefore(DeviceLedger ledger, int n, long ms) {
    synchronized (ledger) {
      KeyFacts f = ledger.key(n);
      return f != null && f.handedOut > 0 && f.handedOutEndMs < ms ? f.handedOutSeq : -1;
    }
  }

  void listOnly(ChaosClient c) {
    list(c, world.anyDevice(c.rnd));
  }

  void resetSome(ChaosClient c) {
    ChaosDevice d = world.anyDevice(c.rnd);
    Set<Integer> named = new LinkedHashSet<>();
    List<Integer> listed = c.rnd.nextInt(10) < 7 ? list(c, d) : null;
    int want = 1 + c.rnd.nextInt(5);
    if (listed != null && !listed.isEmpty()) {
      for (int i = 0; i < want; i++) named.add(listed.get(c.rnd.nextInt(listed.size())));
    } else {
      int top = d.allocatedKeys();
      for (int i = 0; i < want && top > 0; i++) named.add(Math.max(0, top - 1 - c.rnd.nextInt(60)));
    }
    ArrayNode ids = JsonNodeFactory.instance.arrayNode();
    named.forEach(n -> ids.add(ChaosDevice.keyId(n)));
    if (c.rnd.nextInt(3) == 0) ids.add(ChaosDevice.ALGORITHM + ":NEVER" + c.rnd.nextInt(1000));
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("all", false);
    body.set("key_ids", ids);
    reset(c, d, body, new ArrayList<>(named), "reset_ids");
  }

  void resetAll(ChaosClient c) {
    ChaosDevice d = world.anyDevice(c.rnd);
    ChaosClient.Sent s =
        reset(c, d, JsonNodeFactory.instance.objectNode().put("all", true), null, "reset_all");
    if (s.ex().ok()
        && s.ex().json().path("device_one_time_keys_count").path(ChaosDevice.ALGORITHM).asInt(-1)
            != 0) {
      world
          .violations()
          .add(
              "a reset of all one-time keys answered 200 with keys left",
              "#" + s.seq() + " " + d.label() + ": " + s.ex().body());
    }
  }

  /** Sends a reset, records it for the device; {@code named} null means all. */
  ChaosClient.Sent reset(
      ChaosClient c, ChaosDevice d, ObjectNode body, List<Integer> named, String op) {
    String path = c.rnd.nextBoolean() ? ChaosClient.RESET : ChaosClient.RESET_UNSTABLE;
    ChaosClient.Sent s =
        c.post(
            op,
            path,
            d.token,
            body.toString(),
            line -> line.put("device", d.label()).set("request", body));
    world.ledger(d).reset(named, s.ex());
    if (s.ex().ok()) {
      JsonNode count = s.ex().json().path("device_one_time_keys_count").path(ChaosDevice.ALGORITHM);
      if (count.canConvertToInt() && count.asInt() >= 0) d.knownCount = count.asInt();
      else
        world
            .violations()
            .add("a reset answered 200 without a sane count", "#" + s.seq() + ": " + s.ex().body());
    }
    return s;
  }
}
