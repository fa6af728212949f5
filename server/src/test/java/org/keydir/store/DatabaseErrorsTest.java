package org.keydir.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What counts as "the database is unavailable" (503, retry) and what does not (a bug, or the
 * client's).
 */
class DatabaseErrorsTest {
  static PgException pg(String sqlState) {
    return new PgException("m", "ERROR", sqlState, "d");
  }

  @Test
  void postgresql_errors_are_judged_by_their_sqlstate() {
    assertThat(DatabaseErrors.isUnavailable(pg("08006"))).as("connection failure").isTrue();
    assertThat(DatabaseErrors.isUnavailable(pg("57P01"))).as("admin shutdown").isTrue();
    assertThat(DatabaseErrors.isUnavailable(pg("57P03"))).as("cannot connect now").isTrue();
    assertThat(DatabaseErrors.isUnavailable(pg("23505"))).as("unique violation").isFalse();
    assertThat(DatabaseErrors.isUnavailable(pg("42601"))).as("our syntax error").isFalse();
    assertThat(DatabaseErrors.isUnavailable(new RuntimeException(pg("08001")))).isTrue();
  }

  @Test
  void the_client_s_connection_failures_are_judged_by_their_types() {
    assertThat(DatabaseErrors.isUnavailable(ClosedConnectionException.INSTANCE)).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new java.net.ConnectException("refused"))).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new java.net.SocketException("reset"))).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new java.nio.channels.ClosedChannelException()))
        .isTrue();
    assertThat(DatabaseErrors.isUnavailable(new TimeoutException())).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new java.io.IOException("Broken pipe")))
        .as("NIO's write to a dead connection")
        .isTrue();
  }

  @Test
  void commands_still_queued_on_a_connection_that_closed_are_unavailable_not_bugs() {
    // as vertx-sql-client's SocketConnectionBase fails them
    var pending =
        io.vertx.core.VertxException.noStackTrace(
            "Pending requests failed to be sent due to connection has been closed.");
    assertThat(DatabaseErrors.isUnavailable(pending)).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new RuntimeException(pending))).isTrue();
    assertThat(
            DatabaseErrors.isUnavailable(
                io.vertx.core.VertxException.noStackTrace("Connection is not active now")))
        .isTrue();
    assertThat(DatabaseErrors.isUnavailable(io.vertx.core.VertxException.noStackTrace("other")))
        .as("any other VertxException")
        .isFalse();
  }

  @Test
  void other_io_failures_are_not_the_database_going_away() {
    assertThat(
            DatabaseErrors.isUnavailable(
                new com.fasterxml.jackson.core.JsonParseException(null, "not JSON")))
        .isFalse();
    assertThat(DatabaseErrors.isUnavailable(new java.io.FileNotFoundException("x"))).isFalse();
    assertThat(
            DatabaseErrors.isUnavailable(
                new java.io.UncheckedIOException(new java.io.FileNotFoundException("x"))))
        .isFalse();
    assertThat(DatabaseErrors.isUnavailable(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void a_refused_value_is_sqlstate_class_22_only() {
    assertThat(DatabaseErrors.isRefusedValue(pg("22021"))).isTrue();
    assertThat(DatabaseErrors.isRefusedValue(pg("23505"))).isFalse();
    assertThat(DatabaseErrors.isRefusedValue(new RuntimeException("22"))).isFalse();
  }
}
