package org.keydir.store;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.concurrent.TimeoutException;

/** Tells "the database is unreachable right now" (a 503) from a bug in our SQL (a 500). */
public final class DatabaseErrors {
  private DatabaseErrors() {}

  public static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      // A connection that dies mid-transaction fails the next write with a plain IOException
      // ("Broken pipe", "Connection reset by peer"): found by the chaos harness.
      if (c instanceof java.io.IOException
          || c instanceof ClosedConnectionException
          || c instanceof TimeoutException
          || c instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (c instanceof PgException pg && isUnavailableState(pg.getSqlState())) return true;
      String name = c.getClass().getName();
      if (name.endsWith("NoStackTraceTimeoutException")
          || name.endsWith("ConnectionPoolTooBusyException")
          || String.valueOf(c.getMessage()).startsWith("Connection is not active now")) {
        return true;
      }
      if (c.getCause() == c) break;
    }
    return false;
  }

  /**
   * The pool had no free connection for a whole {@code database.connect_timeout_ms} (or its wait
   * queue was full): the database answers, keydir is saturated. Still a 503, but not "unavailable".
   */
  public static boolean isPoolSaturated(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getName();
      if (name.endsWith("ConnectionPoolTooBusyException")) return true;
      if (String.valueOf(c.getMessage()).startsWith("Timeout waiting for connection"))
        return true; // sql-client pool
      // what the pool's connection timeout (database.connect_timeout_ms) fails a waiter with: it
      // was
      // answered as a 500 for everyone once 20 huge bulk claims held every connection
      if (name.endsWith("NoStackTraceThrowable") && "Timeout".equals(c.getMessage())) return true;
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
