package org.keydir.host;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.keydir.auth.Caller;
import org.keydir.store.SyncStateStore;

/**
 * {@code POST /_keydir/internal/v1/sync_state}: for each device the host is about to answer {@code
 * /sync} for, {@code device_one_time_keys_count} and {@code device_unused_fallback_key_types} (spec
 * "End-to-end encryption: extensions to /sync"). Like Synapse, {@code signed_curve25519} is always
 * counted (0 when none): clients read its absence as "unknown" rather than "none".
 */
public final class SyncStates {
  public static final int MAX_DEVICES = 1000;
  public static final String ALWAYS_COUNTED = org.keydir.keys.SyncView.ALWAYS_COUNTED;

  /** One device's state. */
  public record State(Map<String, Long> oneTimeKeyCounts, List<String> unusedFallbackKeyTypes) {}

  private final Pool pool;
  private final SyncStateStore store;

  public SyncStates(Pool pool, SyncStateStore store) {
    this.pool = pool;
    this.store = store;
  }

  /**
   * user → device → state, for every device asked (devices keydir does not know have empty state).
   * One round trip.
   */
  public Future<Map<String, Map<String, State>>> read(List<Caller> devices) {
    List<String> users = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    devices.forEach(
        d -> {
          users.add(d.userId());
          ids.add(d.deviceId());
        });
    return store
        .read(pool, users, ids)
        .map(
            rows -> {
              Map<String, Map<String, TreeMap<String, Long>>> counts = new LinkedHashMap<>();
              Map<String, Map<String, TreeSet<String>>> fallbacks = new LinkedHashMap<>();
              for (Caller d : devices) {
                counts
                    .computeIfAbsent(d.userId(), u -> new LinkedHashMap<>())
                    .computeIfAbsent(d.deviceId(), x -> new TreeMap<>())
                    .put(ALWAYS_COUNTED, 0L);
                fallbacks
                    .computeIfAbsent(d.userId(), u -> new LinkedHashMap<>())
                    .computeIfAbsent(d.deviceId(), x -> new TreeSet<>());
              }
              for (SyncStateStore.Row r : rows) {
                if (r.oneTime())
                  counts.get(r.userId()).get(r.deviceId()).put(r.algorithm(), r.count());
                else fallbacks.get(r.userId()).get(r.deviceId()).add(r.algorithm());
              }
              Map<String, Map<String, State>> out = new LinkedHashMap<>();
              counts.forEach(
                  (u, byDevice) ->
                      byDevice.forEach(
                          (d, c) ->
                              out.computeIfAbsent(u, x -> new LinkedHashMap<>())
                                  .put(d, new State(c, List.copyOf(fallbacks.get(u).get(d))))));
              return out;
            });
  }
}
