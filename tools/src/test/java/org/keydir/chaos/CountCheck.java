package org.keydir.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * At a quiescent point (no request in flight, no fault under way, every instance up): the count
 * every instance reports for every device — from an empty upload, and from a reset naming an id
 * that never existed — equals the database's count of the device's stored one-time keys.
 */
final class CountCheck {
  private CountCheck() {}

  static void run(String when, World world, Cluster cluster, PostgresNode pg, ChaosClient client)
      throws SQLException {
    Map<String, Integer> db = storedCounts(pg, world.devices());
    Resets resets = new Resets(world);
    for (ChaosDevice d : world.devices()) {
      int expected = db.getOrDefault(d.label(), 0);
      for (int i = 0; i < cluster.size(); i++) {
        ChaosClient.Sent s =
            client.postTo(
                i,
                "upload_empty",
                ChaosClient.UPLOAD,
                d.token,
                "{}",
                line -> line.put("device", d.label()));
        compare(
            world,
            when,
            d,
            "an empty upload via instance " + i,
            s,
            s.ex().ok()
                ? s.ex().json().path("one_time_key_counts").path(ChaosDevice.ALGORITHM).asInt(-1)
                : -1,
            expected);
      }
      var body =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
              .objectNode()
              .put("all", false);
      body.putArray("key_ids").add(ChaosDevice.ALGORITHM + ":NEVER");
      ChaosClient.Sent s = resets.reset(client, d, body, List.of(), "reset_ids");
      compare(
          world,
          when,
          d,
          "a reset of an unknown id",
          s,
          s.ex().ok()
              ? s.ex()
                  .json()
                  .path("device_one_time_keys_count")
                  .path(ChaosDevice.ALGORITHM)
                  .asInt(-1)
              : -1,
          expected);
    }
  }

  private static void compare(
      World world,
      String when,
      ChaosDevice d,
      String how,
      ChaosClient.Sent s,
      int got,
      int expected) {
    if (!s.ex().ok()) {
      world
          .violations()
          .add(
              "a request failed at a quiescent point",
              when + " " + how + " #" + s.seq() + ": " + s.ex().describe());
    } else if (got != expected) {
      world
          .violations()
          .add(
              "a reported count differs from the database at a quiescent point",
              when
                  + " "
                  + d.label()
                  + " "
                  + how
                  + " #"
                  + s.seq()
                  + ": reported "
                  + got
                  + ", database "
                  + expected);
    }
  }

  static Map<String, Integer> storedCounts(PostgresNode pg, List<ChaosDevice> devices)
      throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = pg.connect();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT user_id, device_id, count(*) FROM one_time_keys "
                    + "WHERE user_id = ANY(?) AND algorithm = ? AND claimed_ts IS NULL GROUP BY user_id, device_id")) {
      st.setArray(
          1, c.createArrayOf("text", devices.stream().map(d -> d.userId).distinct().toArray()));
      st.setString(2, ChaosDevice.ALGORITHM);
      try (ResultSet r = st.executeQuery()) {
        while (r.next()) out.put(r.getString(1) + "/" + r.getString(2), r.getInt(3));
      }
    }
    return out;
  }
}
