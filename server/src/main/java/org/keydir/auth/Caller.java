package org.keydir.auth;

/** The authenticated device making a client request: from its access token, never from the body. */
public record Caller(String userId, String deviceId) {
  public static final String CONTEXT_KEY = "keydir.caller";
}
