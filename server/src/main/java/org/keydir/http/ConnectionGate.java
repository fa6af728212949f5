package org.keydir.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what idle or slow connections can hold (≈ 20,000 idle connections once exhausted the file
 * descriptors and {@code /health} stopped answering):
 *
 * <ul>
 *   <li>at most {@code listen.max_connections} open connections per process; one more is closed at
 *       once;
 *   <li>a connection that, for a whole {@code listen.request_read_timeout_ms}, neither starts a
 *       request (idle, or dripping its headers) nor finishes reading one it started (dripping its
 *       body) is closed: so between one and two periods after it stalled. A request whose body has
 *       arrived and is being answered is never cut.
 * </ul>
 *
 * One instance per process, shared by every event loop's server.
 */
public final class ConnectionGate {
  private final int maxConnections;
  private final long readTimeoutMs;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

  private static final class State {
    volatile HttpServerRequest current;
    volatile boolean startedSinceTick;
  }

  public ConnectionGate(int maxConnections, long readTimeoutMs) {
    this.maxConnections = maxConnections;
    this.readTimeoutMs = readTimeoutMs;
  }

  public int open() {
    return open.get();
  }

  /** For {@code HttpServer.connectionHandler}. */
  public void opened(Vertx vertx, HttpConnection connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      connection.close();
      return;
    }
    State state = new State();
    states.put(connection, state);
    long timer =
        vertx.setPeriodic(
            readTimeoutMs,
            id -> {
              if (stalled(state)) connection.close();
              state.startedSinceTick = false;
            });
    connection.closeHandler(
        v -> {
          open.decrementAndGet();
          states.remove(connection);
          vertx.cancelTimer(timer);
        });
  }

  /** Called for every request before routing. */
  public void started(HttpServerRequest request) {
    State state = states.get(request.connection());
    if (state == null) return;
    state.current = request;
    state.startedSinceTick = true;
  }

  private static boolean stalled(State s) {
    if (s.startedSinceTick) return false;
    HttpServerRequest r = s.current;
    boolean answered = r == null || (r.isEnded() && r.response().ended());
    return answered || !r.isEnded(); // idle or dripping headers; or dripping its body
  }
}
