package org.keydir.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keydir's own role on the embedded server: it may log in and owns the schema {@code keydir}, and
 * nothing else: not a superuser, no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS, no membership in
 * {@code pg_read_server_files}, {@code pg_write_server_files} or {@code pg_execute_server_program}.
 * Idempotent; run as the superuser at every start. Tables an older keydir created in {@code public}
 * as the superuser are moved into {@code keydir} and handed to the role.
 */
final class EmbeddedRoles {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRoles.class);
  static final String ROLE = "keydir";
  static final String SCHEMA = "keydir";

  private EmbeddedRoles() {}

  static void ensure(String jdbcUrl, String superuserPassword, String keydirPassword) {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", superuserPassword)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(7164001)"); // two CLIs starting at once
        s.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
                + ROLE
                + "') "
                + "THEN CREATE ROLE "
                + ROLE
                + "; END IF; END $$");
        s.execute(
            "ALTER ROLE "
                + ROLE
                + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
        for (String powerful :
            List.of("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")) {
          s.execute("REVOKE " + powerful + " FROM " + ROLE);
        }
        s.execute("ALTER ROLE " + ROLE + " SET search_path = " + SCHEMA);
        s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA + " AUTHORIZATION " + ROLE);
        s.execute("ALTER SCHEMA " + SCHEMA + " OWNER TO " + ROLE);
        s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        moveLegacyTables(c);
        handOver(c);
      }
      // computed here (scram), so the plain password never reaches the server or its logs
      c.unwrap(PGConnection.class)
          .alterUserPassword(ROLE, keydirPassword.toCharArray(), "scram-sha-256");
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot set up keydir's role on the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** keydir before this version: its tables in {@code public}, owned by the superuser. */
  private static void moveLegacyTables(Connection c) throws SQLException {
    List<String> moves =
        names(
            c,
            """
        SELECT CASE WHEN k.relkind = 'S' THEN 'ALTER SEQUENCE ' ELSE 'ALTER TABLE ' END || quote_ident(k.relname)
        FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
        WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = k.oid AND d.deptype IN ('a', 'i')
                          AND d.classid = 'pg_class'::regclass AND k.relkind = 'S')""");
    for (String move : moves) {
      try (Statement s = c.createStatement()) {
        s.execute("SET search_path = public");
        s.execute(move + " SET SCHEMA " + SCHEMA);
      }
    }
    if (!moves.isEmpty())
      LOG.info(
          "moved {} relations of an older keydir from public into schema {}", moves.size(), SCHEMA);
  }

  private static void handOver(Connection c) throws SQLException {
    // tables first (their indexes and column-owned sequences follow), then free-standing sequences
    for (String kinds : List.of("'r','p','v','m'", "'S'")) {
      List<String> alters =
          names(
              c,
              "SELECT CASE WHEN k.relkind = 'S' THEN 'ALTER SEQUENCE ' WHEN k.relkind IN ('v') "
                  + "THEN 'ALTER VIEW ' WHEN k.relkind = 'm' THEN 'ALTER MATERIALIZED VIEW ' ELSE 'ALTER TABLE ' END "
                  + "|| '"
                  + SCHEMA
                  + ".' || quote_ident(k.relname) || ' OWNER TO "
                  + ROLE
                  + "' "
                  + "FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
                  + "WHERE n.nspname = '"
                  + SCHEMA
                  + "' AND k.relkind IN ("
                  + kinds
                  + ") "
                  + "AND k.relowner <> (SELECT oid FROM pg_roles WHERE rolname = '"
                  + ROLE
                  + "')");
      for (String alter : alters) {
        try (Statement s = c.createStatement()) {
          s.execute(alter);
        }
      }
    }
  }

  private static List<String> names(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }
}
