package org.keydir.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** The JSON bodies the bench sends, built as text from pre-serialised parts (cheap per request). */
public final class RequestBodies {
  public static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  public static final String CLAIM = "/_matrix/client/v3/keys/claim";
  public static final String QUERY = "/_matrix/client/v3/keys/query";
  public static final String ADMIN_DEVICES = "/_keydir/admin/v1/devices";
  private static final String FALLBACK_ID = SignedKeys.ALGORITHM + ":fallback";

  private RequestBodies() {}

  /** Device keys and the fallback key: the first upload of a device. */
  public static Buffer identity(BenchDevice d) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("device_keys", d.keys().deviceKeys());
    body.putObject("fallback_keys").set(FALLBACK_ID, d.keys().fallbackKey());
    return Buffer.buffer(body.toString());
  }

  /** {@code one_time_keys} numbered {@code first .. first+n-1}, in that order. */
  public static Buffer oneTimeKeys(BenchDevice d, long first, int n) {
    StringBuilder sb = new StringBuilder(64 + n * 200).append("{\"one_time_keys\":{");
    for (long k = first; k < first + n; k++) {
      if (k > first) sb.append(',');
      sb.append('"')
          .append(SignedKeys.ALGORITHM)
          .append(':')
          .append(DeviceLedger.keyId(k))
          .append("\":")
          .append(d.keys().oneTimeKeyJson(k));
    }
    return Buffer.buffer(sb.append("}}").toString());
  }

  /** An empty upload: the answer carries the device's key counts. */
  public static Buffer counts() {
    return Buffer.buffer("{}");
  }

  /** One {@code signed_curve25519} key from each device. */
  public static Buffer claim(List<BenchDevice> devices) {
    StringBuilder sb = new StringBuilder(32 + devices.size() * 80).append("{\"one_time_keys\":{");
    byUser(
        devices,
        sb,
        (d, out) ->
            out.append(quote(d.deviceId())).append(":\"").append(SignedKeys.ALGORITHM).append('"'),
        '{',
        '}');
    return Buffer.buffer(sb.append("}}").toString());
  }

  /** The device keys of the given devices. */
  public static Buffer query(List<BenchDevice> devices) {
    StringBuilder sb = new StringBuilder(32 + devices.size() * 64).append("{\"device_keys\":{");
    byUser(devices, sb, (d, out) -> out.append(quote(d.deviceId())), '[', ']');
    return Buffer.buffer(sb.append("}}").toString());
  }

  /**
   * {@code "user":<open> entry, entry <close>, …}: devices of one user grouped under one member.
   */
  private static void byUser(
      List<BenchDevice> devices,
      StringBuilder sb,
      BiConsumer<BenchDevice, StringBuilder> entry,
      char open,
      char close) {
    Map<String, List<BenchDevice>> users = new LinkedHashMap<>();
    devices.forEach(d -> users.computeIfAbsent(d.userId(), u -> new ArrayList<>()).add(d));
    boolean firstUser = true;
    for (Map.Entry<String, List<BenchDevice>> u : users.entrySet()) {
      if (!firstUser) sb.append(',');
      firstUser = false;
      sb.append(quote(u.getKey())).append(':').append(open);
      for (int i = 0; i < u.getValue().size(); i++) {
        if (i > 0) sb.append(',');
        entry.accept(u.getValue().get(i), sb);
      }
      sb.append(close);
    }
  }

  public static Buffer createDevice(String userId) {
    return Buffer.buffer("{\"user_id\":" + quote(userId) + "}");
  }

  private static String quote(String s) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
  }
}
