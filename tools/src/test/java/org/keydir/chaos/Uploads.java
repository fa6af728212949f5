package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * Uploads as a client makes them: one-time keys topping the device up towards {@link #TARGET} from
 * the last count it was told (so several clients of one device race and overshoot), now and then
 * with the device keys again; a new fallback key. A request with unknown outcome is usually retried
 * with the identical body, as a real client does (keydir must treat it as "already there").
 */
final class Uploads {
  static final int TARGET = 40;
  private static final int MAX_RETRIES = 3;
  private final World world;

  Uploads(World world) {
    this.world = world;
  }

  void oneTimeKeys(ChaosClient c) {
    ChaosDevice d = world.anyDevice(c.rnd);
    int deficit = TARGET - d.knownCount;
    int n = deficit > 0 ? 1 + c.rnd.nextInt(Math.min(deficit, 20)) : 1 + c.rnd.nextInt(3);
    int first = d.allocateKeys(n);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (c.rnd.nextInt(20) == 0) body.set("device_keys", d.deviceKeys());
    ObjectNode otks = body.putObject("one_time_keys");
    for (int k = first; k < first + n; k++)
      otks.set(ChaosDevice.keyId(k), d.signedKey("K" + k, false));
    DeviceLedger ledger = world.ledger(d);
    send(
        c,
        "upload",
        d,
        body.toString(),
        ex -> ledger.uploadAttempt(first, n, ex),
        line -> line.put("device", d.label()).put("keys", "K" + first + "..K" + (first + n - 1)));
  }

  void fallbackKey(ChaosClient c) {
    ChaosDevice d = world.anyDevice(c.rnd);
    fallbackKey(c, d);
  }

  void fallbackKey(ChaosClient c, ChaosDevice d) {
    int f = d.allocateFallback();
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject("fallback_keys").set(ChaosDevice.fallbackId(f), d.signedKey("F" + f, true));
    DeviceLedger ledger = world.ledger(d);
    send(
        c,
        "upload_fallback",
        d,
        body.toString(),
        ex -> ledger.fallbackUpload(f, ex),
        line -> line.put("device", d.label()).put("fallback", "F" + f));
  }

  /**
   * Sends until answered (200, 4xx) or the retries for unknown outcomes are used up; every attempt
   * is recorded.
   */
  private void send(
      ChaosClient c,
      String op,
      ChaosDevice d,
      String body,
      Consumer<Exchange> record,
      Consumer<ObjectNode> details) {
    for (int attempt = 0; ; attempt++) {
      ChaosClient.Sent s = c.post(op, ChaosClient.UPLOAD, d.token, body, details);
      record.accept(s.ex());
      if (s.ex().ok()) {
        JsonNode count = s.ex().json().path("one_time_key_counts").path(ChaosDevice.ALGORITHM);
        if (!count.canConvertToInt() || count.asInt() < 0) {
          world
              .violations()
              .add(
                  "an upload answered 200 without a sane one_time_key_counts",
                  "#" + s.seq() + ": " + s.ex().body());
        } else {
          d.knownCount = count.asInt();
        }
        return;
      }
      boolean retry = s.ex().outcome().unknown() || s.ex().status() == 429;
      if (!retry || attempt >= MAX_RETRIES || c.rnd.nextInt(10) >= 7) return;
      c.pause(20 + c.rnd.nextInt(200));
    }
  }
}
