package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The database's final word on the run's devices, read over JDBC once everything is quiet. */
final class DbSnapshot {
  static final byte ABSENT = 0;
  static final byte STORED = 1;
  static final byte TOMBSTONE = 2;

  /** One device's one-time keys by number (K&lt;n&gt;); rows that are not ours are listed apart. */
  static final class Keys {
    byte[] state = new byte[0];
    long[] claimedTs = new long[0];
    final List<String> anomalies = new ArrayList<>();

    void put(int n, byte s, long ts) {
      if (n >= state.length) {
        int size = Math.max(n + 1, state.length * 2);
        state = java.util.Arrays.copyOf(state, size);
        claimedTs = java.util.Arrays.copyOf(claimedTs, size);
      }
      state[n] = s;
      claimedTs[n] = ts;
    }

    byte state(int n) {
      return n < state.length ? state[n] : ABSENT;
    }

    int size() {
      return state.length;
    }
  }

  record Fallback(String keyId, String publicKey, boolean used) {}

  record ResetRow(long ts, int deleted, List<String> deletedIds) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  final Map<String, Keys> keys = new HashMap<>();
  final Map<String, Fallback> fallbacks = new HashMap<>();
  final Map<String, List<ResetRow>> resets = new HashMap<>();

  Keys keys(ChaosDevice d) {
    return keys.computeIfAbsent(d.label(), k -> new Keys());
  }

  List<ResetRow> resets(ChaosDevice d) {
    return resets.getOrDefault(d.label(), List.of());
  }

  static DbSnapshot read(PostgresNode pg, List<ChaosDevice> devices) throws SQLException {
    DbSnapshot s = new DbSnapshot();
    String[] users = devices.stream().map(d -> d.userId).distinct().toArray(String[]::new);
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one consistent snapshot
      Array userArray = c.createArrayOf("text", users);
      s.readKeys(c, userArray);
      s.readFallbacks(c, userArray);
      s.readResets(c, userArray);
      c.commit();
    }
    return s;
  }

  private void readKeys(Connection c, Array users) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT user_id, device_id, algorithm, key_id, claimed_ts, "
                + "key_json IS NULL AS no_json FROM one_time_keys WHERE user_id = ANY(?)")) {
      st.setArray(1, users);
      st.setFetchSize(10_000);
      try (ResultSet r = st.executeQuery()) {
        while (r.next()) {
          Keys k = keys.computeIfAbsent(r.getString(1) + "/" + r.getString(2), x -> new Keys());
          String id = r.getString(3) + ":" + r.getString(4);
          long claimed = r.getLong(5);
          boolean tombstone = !r.wasNull();
          int n = World.number(id, 'K');
          if (n < 0) k.anomalies.add("a row for a key id nobody uploaded: " + id);
          else if (tombstone != r.getBoolean(6))
            k.anomalies.add(id + ": claimed_ts and key_json disagree");
          else k.put(n, tombstone ? TOMBSTONE : STORED, claimed);
        }
      }
    }
  }

  private void readFallbacks(Connection c, Array users) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT user_id, device_id, algorithm, key_id, key_json, used "
                + "FROM fallback_keys WHERE user_id = ANY(?)")) {
      st.setArray(1, users);
      try (ResultSet r = st.executeQuery()) {
        while (r.next()) {
          fallbacks.put(
              r.getString(1) + "/" + r.getString(2),
              new Fallback(
                  r.getString(3) + ":" + r.getString(4),
                  json(r.getString(5)).path("key").asText(null),
                  r.getBoolean(6)));
        }
      }
    }
  }

  private void readResets(Connection c, Array users) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT user_id, device_id, ts, details FROM audit_log "
                + "WHERE user_id = ANY(?) AND action = 'keys.reset' ORDER BY id")) {
      st.setArray(1, users);
      try (ResultSet r = st.executeQuery()) {
        while (r.next()) {
          JsonNode details = json(r.getString(4));
          List<String> ids = new ArrayList<>();
          details.path("deleted_key_ids").forEach(id -> ids.add(id.asText()));
          resets
              .computeIfAbsent(r.getString(1) + "/" + r.getString(2), x -> new ArrayList<>())
              .add(
                  new ResetRow(r.getLong(3), details.path("one_time_keys_deleted").asInt(-1), ids));
        }
      }
    }
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON in the database: " + text, e);
    }
  }
}
