package org.keydir.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Set;
import org.keydir.keys.SyncView;

/**
 * Puts keydir's facts into the host's /sync answer (spec "End-to-end encryption: extensions to
 * /sync"), leaving every other member as the host sent it: {@code device_one_time_keys_count} and
 * {@code device_unused_fallback_key_types} (and Synapse's unstable {@code
 * org.matrix.msc2732.device_unused_fallback_key_types} where the host sent it) replaced, keydir's
 * changed users added to {@code device_lists.changed}, {@code next_batch} wrapped. Pure.
 */
public final class SyncRewrite {
  static final String UNSTABLE_FALLBACK = "org.matrix.msc2732.device_unused_fallback_key_types";

  private SyncRewrite() {}

  public static void apply(ObjectNode body, SyncView view, long previousPosition) {
    fill(body, view);
    wrap(body, "next_batch", view, previousPosition, false);
  }

  /**
   * Simplified sliding sync (MSC4186): the same facts in {@code extensions.e2ee} (MSC3884: "the
   * semantics of these fields is exactly the same as the current /sync"), when the connection has
   * the extension on; {@code pos} wrapped like {@code next_batch}, carrying that (sticky) choice.
   */
  public static void applySliding(
      ObjectNode body, SyncView view, long previousPosition, boolean e2ee) {
    if (e2ee) {
      JsonNode ext = body.get("extensions");
      ObjectNode extensions =
          ext != null && ext.isObject() ? (ObjectNode) ext : body.putObject("extensions");
      JsonNode e = extensions.get("e2ee");
      fill(e != null && e.isObject() ? (ObjectNode) e : extensions.putObject("e2ee"), view);
    }
    wrap(body, "pos", view, previousPosition, e2ee);
  }

  private static void wrap(
      ObjectNode body, String field, SyncView view, long previousPosition, boolean e2ee) {
    JsonNode next = body.get(field);
    if (next != null && next.isTextual()) {
      body.put(
          field,
          new SyncToken(
                  next.asText(),
                  Math.max(previousPosition, view.position()),
                  view.signedCurve25519(),
                  !view.unusedFallbackKeyTypes().isEmpty(),
                  e2ee)
              .wire());
    }
  }

  private static void fill(ObjectNode body, SyncView view) {
    ObjectNode counts = body.objectNode();
    counts.put(SyncStates.ALWAYS_COUNTED, 0L);
    view.oneTimeKeyCounts().forEach(counts::put);
    body.set("device_one_time_keys_count", counts);
    ArrayNode fallbacks = body.arrayNode();
    view.unusedFallbackKeyTypes().forEach(fallbacks::add);
    body.set("device_unused_fallback_key_types", fallbacks);
    if (body.has(UNSTABLE_FALLBACK)) body.set(UNSTABLE_FALLBACK, fallbacks.deepCopy());
    if (!view.changedUsers().isEmpty()) addChanged(body, view);
  }

  private static void addChanged(ObjectNode body, SyncView view) {
    JsonNode lists = body.get("device_lists");
    ObjectNode deviceLists =
        lists != null && lists.isObject() ? (ObjectNode) lists : body.putObject("device_lists");
    JsonNode existing = deviceLists.get("changed");
    ArrayNode changed =
        existing != null && existing.isArray()
            ? (ArrayNode) existing
            : deviceLists.putArray("changed");
    Set<String> present = new LinkedHashSet<>();
    changed.forEach(u -> present.add(u.asText()));
    for (String u : view.changedUsers()) if (present.add(u)) changed.add(u);
  }
}
