package org.keydir.keys;

/**
 * The one way the domain (and the store) says "this request cannot be done". Only {@code
 * http.MatrixErrors} turns a {@link Kind} into an HTTP status and a Matrix errcode.
 */
public final class KeydirException extends RuntimeException {
  public enum Kind {
    NOT_JSON,
    BAD_JSON,
    MISSING_PARAM,
    INVALID_PARAM,
    INVALID_SIGNATURE,
    KEY_LIMIT,
    MISSING_TOKEN,
    UNKNOWN_TOKEN,
    FORBIDDEN,
    UNAUTHORIZED,
    NOT_FOUND,
    TOO_LARGE,
    RATE_LIMITED,
    UNAVAILABLE
  }

  private final Kind kind;
  private final long retryAfterMs;

  private KeydirException(Kind kind, String message, long retryAfterMs, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }

  public static KeydirException of(Kind kind, String format, Object... args) {
    return new KeydirException(kind, String.format(format, args), 0, null);
  }

  public static KeydirException badJson(String format, Object... args) {
    return of(Kind.BAD_JSON, format, args);
  }

  public static KeydirException invalidParam(String format, Object... args) {
    return of(Kind.INVALID_PARAM, format, args);
  }

  public static KeydirException rateLimited(long retryAfterMs) {
    return new KeydirException(Kind.RATE_LIMITED, "too many requests", retryAfterMs, null);
  }

  /**
   * 503 with {@code Retry-After}: something keydir depends on (the homeserver) cannot answer now.
   */
  public static KeydirException unavailable(String message, long retryAfterMs) {
    return new KeydirException(Kind.UNAVAILABLE, message, retryAfterMs, null);
  }

  public static KeydirException unavailable(String message, Throwable cause) {
    return new KeydirException(Kind.UNAVAILABLE, message, 0, cause);
  }

  public Kind kind() {
    return kind;
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }
}
