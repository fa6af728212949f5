package org.keydir.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every table lives on Citus. Applied after the migrations (Flyway must create the tables
 * first: a schema distributed before the first migrate is one Flyway refuses), idempotently: a
 * table already placed is left alone, so a table added by a later migration is placed by the next
 * {@code keydir migrate} or start, and {@code CitusLayoutTest} fails for a table missing here.
 */
public final class CitusLayout {
  private static final Logger LOG = LoggerFactory.getLogger(CitusLayout.class);

  /**
   * Per-user tables: sharded on {@code user_id}, colocated with {@code devices}, so one user's rows
   * share a shard.
   */
  public static final List<String> BY_USER =
      List.of(
          "devices",
          "device_keys",
          "one_time_keys",
          "fallback_keys",
          "audit_log",
          "device_list_positions",
          "device_list_changes",
          "device_list_tracking",
          "federation_interest",
          "cross_signing_keys",
          "key_signatures",
          "cross_signing_approvals");

  /**
   * The federation outbox: sharded on {@code destination}, its three tables colocated with each
   * other.
   */
  public static final List<String> BY_DESTINATION =
      List.of("federation_outbox", "federation_destinations", "federation_sent_heads");

  /**
   * Small tables keyed by something that is not a user: copied to every node. {@code access_tokens}
   * is found by token hash, {@code server_signing_keys} has a unique index on its state (a sharded
   * table's unique index must contain the shard key), {@code peer_signing_keys} by server name.
   */
  public static final List<String> REFERENCE =
      List.of("access_tokens", "server_signing_keys", "peer_signing_keys");

  /**
   * {@code database.citus}: auto (place the tables when the citus extension is installed), on
   * (require it), off.
   */
  public enum Mode {
    AUTO,
    ON,
    OFF;

    /** The value of {@code database.citus} (checked by the config: auto, on or off). */
    public static Mode of(String configured) {
      return valueOf(configured.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private CitusLayout() {}

  /** True when the database has the citus extension. */
  public static boolean present(DatabaseUrl url) {
    try (Connection c = connect(url)) {
      return present(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not check for the citus extension: " + e.getMessage(), e);
    }
  }

  /**
   * True when keydir's tables are sharded here (the extension present and {@code devices}
   * distributed).
   */
  public static boolean sharded(DatabaseUrl url) {
    try (Connection c = connect(url)) {
      return present(c) && placedTables(c).contains(BY_USER.get(0));
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the Citus placements: " + e.getMessage(), e);
    }
  }

  private static boolean present(Connection c) throws SQLException {
    try (ResultSet r =
        c.createStatement().executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
      return r.next();
    }
  }

  /** Places every table not yet placed; returns table → placement for those it placed now. */
  public static Map<String, String> apply(DatabaseUrl url, Mode mode) {
    if (mode == Mode.OFF) return Map.of();
    Map<String, String> placed = new LinkedHashMap<>();
    try (Connection c = connect(url)) {
      if (!present(c)) {
        if (mode == Mode.ON) {
          throw new IllegalStateException(
              "database.citus is on but the database has no citus extension "
                  + "(CREATE EXTENSION citus on the coordinator, before keydir migrates)");
        }
        return placed;
      }
      // replicas starting together: one places the tables, the others wait here and find them
      // placed
      call(c, "SELECT pg_advisory_lock(7164300)");
      List<String> done = placedTables(c);
      distribute(c, done, placed, BY_USER, "user_id");
      distribute(c, done, placed, BY_DESTINATION, "destination");
      for (String table : REFERENCE) {
        if (done.contains(table)) continue;
        call(c, "SELECT create_reference_table(?)", table);
        placed.put(table, "reference table");
      }
      call(c, "SELECT pg_advisory_unlock(7164300)");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not place keydir's tables on Citus: " + e.getMessage(), e);
    }
    if (!placed.isEmpty()) LOG.info("Citus: placed {}", placed);
    return placed;
  }

  /**
   * Every keydir table with its placement on this database: "local", "distributed on …", "reference
   * table".
   */
  public static Map<String, String> placements(DatabaseUrl url) {
    if (!present(url)) throw new IllegalStateException("the database has no citus extension");
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = connect(url);
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT c.relname, p.partmethod, CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END AS col "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
                        + "LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid WHERE c.relkind IN ('r', 'p') ORDER BY c.relname")) {
      while (r.next()) {
        String method = r.getString("partmethod");
        out.put(
            r.getString("relname"),
            method == null
                ? "local"
                : method.equals("n") ? "reference table" : "distributed on " + r.getString("col"));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the Citus placements: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Shards {@code tables} on {@code column}, the first of them starting a colocation group the
   * others join.
   */
  private static void distribute(
      Connection c,
      List<String> done,
      Map<String, String> placed,
      List<String> tables,
      String column)
      throws SQLException {
    for (String table : tables) {
      if (done.contains(table)) continue;
      String colocate = table.equals(tables.get(0)) ? "none" : tables.get(0);
      call(c, "SELECT create_distributed_table(?, ?, colocate_with => ?)", table, column, colocate);
      placed.put(table, "distributed on " + column);
    }
  }

  private static List<String> placedTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet r =
        c.createStatement()
            .executeQuery("SELECT logicalrelid::regclass::text AS t FROM pg_dist_partition")) {
      while (r.next()) out.add(r.getString("t"));
    }
    return out;
  }

  private static void call(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) s.setString(i + 1, args[i]);
      s.execute();
    }
  }

  private static Connection connect(DatabaseUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}
