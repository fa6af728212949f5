package org.keydir.crypto;

/** A JSON value that has no Matrix canonical JSON encoding, or JSON text that does not parse. */
public class CanonicalJsonException extends RuntimeException {
  public CanonicalJsonException(String message) {
    super(message);
  }

  public CanonicalJsonException(String message, Throwable cause) {
    super(message, cause);
  }
}
