package org.keydir.store;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.concurrent.TimeoutException;

/** Tells "the database is unreachable right now" (a 503) from a bug in our SQL (a 500). */
public final class DatabaseErrors {
  private DatabaseErrors() {}

  /**
   * Recognised by type: a PostgreSQL error by its SQLSTATE (class 08, 57P01..57P03), the client's
   * connection failures by their classes. Vert.x reports a command on a connection that already
   * closed, and the commands still queued on a connection when it closes, as a bare {@code
   * VertxException} whose only mark is its text, so those are matched on their texts.
   */
  public static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof PgException pg) return isUnavailableState(pg.getSqlState());
      if (c instanceof ClosedConnectionException
          || c instanceof java.net.SocketException // refused, reset (ConnectException is one)
          || c instanceof java.nio.channels.ClosedChannelException
          // the epoll transport's socket errors (reset, broken pipe): ConnectionLossBugTest
          || c instanceof io.netty.channel.unix.Errors.NativeIoException
          || c instanceof io.netty.channel.ConnectTimeoutException
          || c
              instanceof
              TimeoutException // a command's deadline (Vert.x's NoStackTraceTimeoutException)
          || c instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
        return true;
      }
      // A connection that dies mid-transaction fails the next write with a bare IOException
      // ("Broken pipe", from NIO's write; found by the chaos harness). Only that exact class: its
      // subclasses (a JSON parse error, a missing file) are not the database going away.
      if (c.getClass() == java.io.IOException.class) return true;
      if (c instanceof io.vertx.core.VertxException && isClosedConnectionText(c.getMessage())) {
        return true;
      }
      if (c.getCause() == c) break;
    }
    return false;
  }

  /**
   * The two texts Vert.x gives a bare VertxException for a connection that closed: a command sent
   * after it closed, and the commands still queued on it when it closed (vertx-sql-client's
   * SocketConnectionBase; the chaos harness saw the second answered 500 on a bulk claim whose
   * connection it cut).
   */
  private static boolean isClosedConnectionText(String message) {
    String m = String.valueOf(message);
    return m.startsWith("Connection is not active now")
        || m.startsWith("Pending requests failed to be sent due to connection has been closed");
  }

  /**
   * The pool had no free connection for a whole {@code database.connect_timeout_ms} (or its wait
   * queue was full): the database answers, keydir is saturated. Still a 503, but not "unavailable".
   */
  public static boolean isPoolSaturated(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof io.vertx.core.http.ConnectionPoolTooBusyException) return true;
      // the sql-client pool's wait queue: a VertxException Vert.x marks only by its text
      if (c instanceof io.vertx.core.VertxException
          && "Timeout waiting for connection".equals(c.getMessage())) return true;
      // what the pool's connection timeout (database.connect_timeout_ms) fails a waiter with: it
      // was answered as a 500 for everyone once 20 huge bulk claims held every connection
      if (c instanceof io.vertx.core.impl.NoStackTraceThrowable && "Timeout".equals(c.getMessage()))
        return true;
      if (c.getCause() == c) break;
    }
    return false;
  }

  /**
   * For {@code recover}: a database outage becomes {@code KeydirException(UNAVAILABLE)}; anything
   * else passes.
   */
  public static <T>
      java.util.function.Function<Throwable, io.vertx.core.Future<T>> toUnavailable() {
    return t ->
        io.vertx.core.Future.failedFuture(
            isUnavailable(t)
                ? org.keydir.keys.KeydirException.unavailable("database unavailable", t)
                : t);
  }

  /**
   * SQLSTATE class 22 (data exception: e.g. a NUL character, a number out of range): the database
   * refused a value, which only a client can have sent.
   */
  public static boolean isRefusedValue(Throwable t) {
    return t instanceof PgException pg
        && pg.getSqlState() != null
        && pg.getSqlState().startsWith("22");
  }

  /**
   * SQLSTATE class 08 (connection exception) and 57P01..57P03 (server shutting down / starting).
   */
  private static boolean isUnavailableState(String state) {
    return state != null && (state.startsWith("08") || state.startsWith("57P"));
  }
}
