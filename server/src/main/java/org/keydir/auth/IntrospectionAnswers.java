package org.keydir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Judges an OAuth 2.0 token introspection answer (RFC 7662 §2.2) as matrix-authentication-service
 * gives it for MSC3861: {@code active}, {@code scope} (space-separated), {@code username} (the
 * localpart), {@code exp}. MSC2967 scopes: {@code urn:matrix:client:api:*} grants the client API,
 * {@code urn:matrix:client:device:<id>} names the device (and their unstable {@code
 * urn:matrix:org.matrix.msc2967.client:…} forms). Pure.
 */
public final class IntrospectionAnswers {
  private static final String[] API_SCOPES = {
    "urn:matrix:client:api:*", "urn:matrix:org.matrix.msc2967.client:api:*"
  };
  private static final String[] DEVICE_PREFIXES = {
    "urn:matrix:client:device:", "urn:matrix:org.matrix.msc2967.client:device:"
  };

  private IntrospectionAnswers() {}

  /**
   * @throws TokenVerdict.HostUnavailable for an answer that is no verdict (not 200, or nonsense)
   */
  public static TokenVerdict judge(int status, JsonNode body, String serverName, long nowMs) {
    // RFC 7662 §2.3: an error here (401: our client credentials) says nothing about the token.
    if (status != 200)
      throw new TokenVerdict.HostUnavailable("the introspection endpoint answered " + status);
    JsonNode active = body == null ? null : body.get("active");
    if (active == null || !active.isBoolean()) {
      throw new TokenVerdict.HostUnavailable("the introspection answer has no boolean 'active'");
    }
    if (!active.asBoolean()) return TokenVerdict.unknownToken("the access token is not active");
    JsonNode exp = body.get("exp");
    Optional<Long> expiresAt =
        exp != null && exp.canConvertToLong() ? Optional.of(exp.asLong() * 1000) : Optional.empty();
    if (expiresAt.isPresent() && expiresAt.get() <= nowMs)
      return TokenVerdict.unknownToken("the access token has expired");
    String username = WhoamiAnswers.text(body, "username");
    String userId = username == null ? null : "@" + username + ":" + serverName;
    if (userId == null || !MatrixIds.isUserId(userId)) {
      throw new TokenVerdict.HostUnavailable("the introspection answer has no valid username");
    }
    String scope = WhoamiAnswers.text(body, "scope");
    String[] scopes = scope == null ? new String[0] : scope.trim().split(" +");
    if (!hasAny(scopes, API_SCOPES)) {
      return TokenVerdict.forbidden(
          "this access token was not granted the Matrix client API scope");
    }
    String deviceId = device(scopes);
    if (deviceId == null || !MatrixIds.isDeviceId(deviceId)) {
      return TokenVerdict.forbidden(
          "this access token has no device scope: the keys endpoints need one");
    }
    return TokenVerdict.valid(new Caller(userId, deviceId), expiresAt);
  }

  private static boolean hasAny(String[] scopes, String[] wanted) {
    for (String s : scopes) for (String w : wanted) if (s.equals(w)) return true;
    return false;
  }

  private static String device(String[] scopes) {
    for (String s : scopes)
      for (String p : DEVICE_PREFIXES)
        if (s.startsWith(p) && s.length() > p.length()) {
          return s.substring(p.length());
        }
    return null;
  }
}
