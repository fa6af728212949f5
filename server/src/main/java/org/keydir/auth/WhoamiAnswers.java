package org.keydir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Judges the host's answer to {@code GET /_matrix/client/v3/account/whoami} (spec: 200 {@code
 * {"user_id", "device_id"?, "is_guest"?}}; 401 {@code M_UNKNOWN_TOKEN} for a token it does not
 * know, expired or logged out; 403 for a token it refuses). Pure: status and body in, verdict out.
 */
public final class WhoamiAnswers {
  private WhoamiAnswers() {}

  /**
   * @throws TokenVerdict.HostUnavailable for an answer that is no verdict (5xx, 429, 404, nonsense)
   */
  public static TokenVerdict judge(int status, JsonNode body, String serverName) {
    if (status == 401)
      return TokenVerdict.unknownToken(
          hostError(body, "the homeserver does not know this access token"));
    if (status == 403)
      return TokenVerdict.forbidden(hostError(body, "the homeserver refuses this access token"));
    if (status != 200)
      throw new TokenVerdict.HostUnavailable("the homeserver's whoami answered " + status);
    String userId = text(body, "user_id");
    if (userId == null || !MatrixIds.isUserId(userId)) {
      throw new TokenVerdict.HostUnavailable("the homeserver's whoami answer has no valid user_id");
    }
    if (!MatrixIds.serverOf(userId).equals(serverName)) {
      return TokenVerdict.forbidden(
          "this token belongs to " + userId + ", not to a user of " + serverName);
    }
    String deviceId = text(body, "device_id");
    if (deviceId == null || !MatrixIds.isDeviceId(deviceId)) {
      return TokenVerdict.forbidden("this access token has no device: the keys endpoints need one");
    }
    return TokenVerdict.valid(new Caller(userId, deviceId), Optional.empty());
  }

  static String text(JsonNode body, String field) {
    JsonNode v = body == null ? null : body.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /** The host's own {@code error} text when it gave one (bounded), else ours. */
  static String hostError(JsonNode body, String fallback) {
    String e = text(body, "error");
    return e == null || e.isBlank() ? fallback : e.length() > 200 ? e.substring(0, 200) : e;
  }
}
