package org.keydir.auth;

import java.util.Optional;

/**
 * What the homeserver said of an access token (delegated mode): a device, or a rejection to pass on
 * to the client. A host that could not answer is not a verdict (it is never cached, never a 401).
 *
 * @param expiresAtMs when the host says the token stops being valid (introspection {@code exp}), if
 *     it said
 */
public record TokenVerdict(
    Optional<Caller> caller, int status, String errcode, String error, Optional<Long> expiresAtMs) {
  public static TokenVerdict valid(Caller caller, Optional<Long> expiresAtMs) {
    return new TokenVerdict(Optional.of(caller), 200, null, null, expiresAtMs);
  }

  public static TokenVerdict unknownToken(String error) {
    return new TokenVerdict(Optional.empty(), 401, "M_UNKNOWN_TOKEN", error, Optional.empty());
  }

  public static TokenVerdict forbidden(String error) {
    return new TokenVerdict(Optional.empty(), 403, "M_FORBIDDEN", error, Optional.empty());
  }

  public boolean isValid() {
    return caller.isPresent();
  }

  /**
   * The host did not give a verdict: unreachable, too slow, 5xx, or an answer that makes no sense.
   */
  public static final class HostUnavailable extends RuntimeException {
    public HostUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
