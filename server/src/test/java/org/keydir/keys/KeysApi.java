package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestKeydir;

/** Test helpers for the client key endpoints. */
final class KeysApi {
  static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  static final String CLAIM = "/_matrix/client/v3/keys/claim";
  static final String QUERY = "/_matrix/client/v3/keys/query";
  private static final AtomicInteger USERS = new AtomicInteger();

  private KeysApi() {}

  static SigningDevice newDevice(TestKeydir kd) {
    return new SigningDevice(kd.createDevice("u" + USERS.incrementAndGet(), null));
  }

  /** A device whose device_keys are already uploaded. */
  static SigningDevice registered(TestKeydir kd) {
    SigningDevice d = newDevice(kd);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("device_keys", d.deviceKeys());
    ok(kd.http.post(UPLOAD, d.token, body));
    return d;
  }

  static Http.Response ok(Http.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  static int count(TestKeydir kd, SigningDevice d) {
    return ok(kd.http.post(UPLOAD, d.token, "{}"))
        .json()
        .at("/one_time_key_counts/signed_curve25519")
        .asInt();
  }

  static Http.Response claim(TestKeydir kd, String token, SigningDevice target) {
    return kd.http.post(
        CLAIM,
        token,
        "{\"one_time_keys\":{\""
            + target.userId
            + "\":{\""
            + target.deviceId
            + "\":\"signed_curve25519\"}},\"timeout\":10000}");
  }

  /** The single key a claim for {@code target} returned, as "id" → object, or null. */
  static java.util.Map.Entry<String, JsonNode> claimedKey(Http.Response r, SigningDevice target) {
    JsonNode device = ok(r).json().path("one_time_keys").path(target.userId).path(target.deviceId);
    if (device.isMissingNode() || device.size() == 0) return null;
    assertThat(device.size()).isEqualTo(1);
    return device.properties().iterator().next();
  }

  static JsonNode queryDevice(TestKeydir kd, String token, SigningDevice target) {
    JsonNode r =
        ok(kd.http.post(QUERY, token, "{\"device_keys\":{\"" + target.userId + "\":[]}}")).json();
    return r.path("device_keys").path(target.userId).path(target.deviceId);
  }

  /**
   * The no-double-hand-out check: no key handed out twice, none both handed out and still stored,
   * and every uploaded key either handed out once or still stored (none lost).
   */
  static void assertEachKeyHandedOutOnceOrStored(
      java.util.Collection<String> handedOut,
      java.util.Set<String> stored,
      java.util.Set<String> uploaded) {
    java.util.List<String> handed = new java.util.ArrayList<>(handedOut);
    org.assertj.core.api.Assertions.assertThat(new java.util.HashSet<>(handed))
        .as("a one-time key was handed out twice")
        .hasSameSizeAs(handed);
    org.assertj.core.api.Assertions.assertThat(stored)
        .as("a key both handed out and still stored")
        .doesNotContainAnyElementsOf(handed);
    java.util.Set<String> accounted = new java.util.HashSet<>(handed);
    accounted.addAll(stored);
    org.assertj.core.api.Assertions.assertThat(accounted)
        .as("every uploaded key is handed out once or still stored")
        .isEqualTo(uploaded);
  }
}
