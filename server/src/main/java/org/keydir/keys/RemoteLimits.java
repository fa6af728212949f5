package org.keydir.keys;

/**
 * Per client request: at most {@code maxServers} remote servers asked, all within {@code
 * maxTimeoutMs}.
 */
public record RemoteLimits(int maxServers, long maxTimeoutMs) {
  public static final RemoteLimits NONE = new RemoteLimits(Integer.MAX_VALUE, Long.MAX_VALUE);

  public long timeout(long requestedMs) {
    return Math.max(1, Math.min(requestedMs, maxTimeoutMs));
  }
}
