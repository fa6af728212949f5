package org.keydir.keys;

/**
 * A server that could not answer in time, or answered badly: its entry in {@code failures}. The
 * message is generic: what a client learns about a failure never maps our network (which hosts or
 * ports exist, what a connection error said).
 */
public record RemoteFailure(int status, String message) {
  public static RemoteFailure of(Throwable t) {
    if (t instanceof RemoteServers.Failure f)
      return new RemoteFailure(f.status(), f.publicMessage());
    if (t instanceof java.util.concurrent.TimeoutException)
      return new RemoteFailure(504, "timed out");
    return new RemoteFailure(503, "unreachable");
  }
}
