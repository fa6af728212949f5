package org.keydir.keys;

/** A server that could not answer in time, or answered badly: its entry in {@code failures}. */
public record RemoteFailure(int status, String message) {
  static RemoteFailure of(Throwable t) {
    if (t instanceof java.util.concurrent.TimeoutException || String.valueOf(t.getMessage()).contains("timeout")) {
      return new RemoteFailure(504, "timed out");
    }
    return new RemoteFailure(503, t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
  }
}
