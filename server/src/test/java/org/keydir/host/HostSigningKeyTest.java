package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.keydir.config.ConfigException;
import org.keydir.serverkeys.HostSigningKey;
import org.keydir.testing.FakeHost;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Host mode: signing federation with the homeserver's key")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostSigningKeyTest {
  private static final String SEED =
      "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"; // 32 bytes, unpadded base64

  private static Path file(String text) throws Exception {
    Path f = TestDatabase.tempDir("host-key").resolve("signing.key");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void synapse_format_is_read_first_key_signs_padding_and_blank_lines_accepted() throws Exception {
    HostSigningKey k =
        HostSigningKey.load(
            "hs.example",
            file("\n# from synapse\ned25519 a_AbCd " + SEED + "\ned25519 b_second " + SEED + "\n"));
    assertThat(k.signingKey().keyId()).isEqualTo("ed25519:a_AbCd");
    assertThat(k.signingKey().seed()).hasSize(32);
    assertThat(
            HostSigningKey.load("hs.example", file("ed25519 a_1 " + SEED + "="))
                .signingKey()
                .keyId())
        .isEqualTo("ed25519:a_1");
  }

  @Test
  void dendrites_pem_key_is_read_too() throws Exception {
    HostSigningKey k =
        HostSigningKey.load(
            "hs.example",
            file(
                "-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:auto\n\n"
                    + SEED
                    + "=\n-----END MATRIX PRIVATE KEY-----\n"));
    assertThat(k.signingKey().keyId()).isEqualTo("ed25519:auto");
    assertThat(k.publicKeyBase64())
        .isEqualTo(HostSigningKey.load("hs.example", file("ed25519 x " + SEED)).publicKeyBase64());
    assertThatThrownBy(
            () ->
                HostSigningKey.load(
                    "hs.example",
                    file(
                        "-----BEGIN MATRIX PRIVATE KEY-----\n\n"
                            + SEED
                            + "\n-----END MATRIX PRIVATE KEY-----\n")))
        .hasMessageContaining("Key-ID");
  }

  @Test
  void a_missing_or_malformed_file_is_one_line_naming_the_key_and_never_the_seed()
      throws Exception {
    Map<String, String> cases = new HashMap<>();
    cases.put("", "holds no signing key");
    cases.put("curve25519 a_1 " + SEED, "is not 'ed25519 <version> <base64 seed>'");
    cases.put("ed25519 " + SEED, "is not 'ed25519 <version> <base64 seed>'");
    cases.put("ed25519 a-1! " + SEED, "key version");
    cases.put("ed25519 a_1 " + SEED.substring(0, 20) + "*", "ed25519:a_1");
    cases.put("ed25519 a_1 " + SEED.substring(0, 20), "must be 32 bytes");
    for (var c : cases.entrySet()) {
      Path f = file(c.getKey());
      assertThatThrownBy(() -> HostSigningKey.load("hs.example", f))
          .as(c.getKey())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("server_keys.host_signing_key_path")
          .hasMessageContaining(c.getValue())
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .doesNotContain(SEED.substring(0, 12))
                      .doesNotContain("\n"));
    }
    assertThatThrownBy(() -> HostSigningKey.load("hs.example", Path.of("/nonexistent/signing.key")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("/nonexistent/signing.key");
    assertThatThrownBy(() -> TestKeydir.config(null, Map.of("KEYDIR_SERVER_KEYS_MODE", "host")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server_keys.host_signing_key_path");
  }

  @Test
  void a_peer_accepts_keydirs_requests_with_the_key_it_fetched_from_the_homeserver()
      throws Exception {
    try (FakeHost host = new FakeHost("hs.test")) {
      Path keyFile = host.writeSigningKey(TestDatabase.tempDir("host-key"));
      int portB;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        portB = s.getLocalPort();
      }
      // the peer finds hs.test's keys where the homeserver publishes them; keydir A is never asked
      Map<String, String> envB = new HashMap<>();
      envB.put("KEYDIR_SERVER_NAME", "peer.test");
      envB.put("KEYDIR_LISTEN_PORT", Integer.toString(portB));
      envB.put("KEYDIR_FEDERATION_SERVERS", "hs.test=" + host.url());
      Map<String, String> envA = new HashMap<>();
      envA.put("KEYDIR_SERVER_NAME", "hs.test");
      envA.put("KEYDIR_SERVER_KEYS_MODE", "host");
      envA.put("KEYDIR_SERVER_KEYS_HOST_SIGNING_KEY_PATH", keyFile.toString());
      envA.put("KEYDIR_FEDERATION_SERVERS", "peer.test=http://127.0.0.1:" + portB);
      try (TestKeydir b = TestKeydir.start(TestDatabase.fresh(), envB);
          TestKeydir a = TestKeydir.start(TestDatabase.fresh(), envA)) {
        TestKeydir.Device remote = b.createDevice("ulla", "ULLADEV");
        SigningDevice rd = new SigningDevice(remote);
        var up = rd.oneTimeKeys("K1");
        up.set("device_keys", rd.deviceKeys());
        assertThat(b.http.post("/_matrix/client/v3/keys/upload", remote.token(), up).status())
            .isEqualTo(200);
        TestKeydir.Device local = a.createDevice("vera", "VERADEV");
        Http.Response q =
            a.http.post(
                "/_matrix/client/v3/keys/query",
                local.token(),
                "{\"device_keys\":{\"" + remote.userId() + "\":[]}}");
        assertThat(q.status()).as(q.toString()).isEqualTo(200);
        assertThat(q.json().path("failures").size()).as(q.toString()).isZero();
        JsonNode dk = q.json().path("device_keys").path(remote.userId()).path("ULLADEV");
        assertThat(dk.isObject()).as(q.toString()).isTrue();
        Http.Response claim =
            a.http.post(
                "/_matrix/client/v3/keys/claim",
                local.token(),
                "{\"one_time_keys\":{\""
                    + remote.userId()
                    + "\":{\"ULLADEV\":\"signed_curve25519\"}}}");
        assertThat(claim.json().path("one_time_keys").path(remote.userId()).path("ULLADEV").size())
            .isEqualTo(1);
        // keydir A leaves its key endpoint, and its own key management, to the homeserver
        assertThat(a.http.get("/_matrix/key/v2/server", null).status()).isEqualTo(404);
        assertThat(a.http.get("/_keydir/admin/v1/server_keys", TestKeydir.ADMIN_TOKEN).status())
            .isEqualTo(404);
      }
    }
  }

  @Test
  void in_own_mode_the_legacy_key_path_answers_like_the_current_one() throws Exception {
    try (TestKeydir k = TestKeydir.start(TestDatabase.fresh())) {
      JsonNode current = k.http.get("/_matrix/key/v2/server", null).json();
      String keyId = current.path("verify_keys").fieldNames().next();
      Http.Response legacy = k.http.get("/_matrix/key/v2/server/" + keyId, null);
      assertThat(legacy.status()).isEqualTo(200);
      assertThat(legacy.json().path("verify_keys")).isEqualTo(current.path("verify_keys"));
      assertThat(legacy.json().path("server_name").asText()).isEqualTo(TestKeydir.SERVER_NAME);
      assertThat(k.http.get("/_matrix/key/v2/server/", null).status()).isIn(200, 404);
    }
  }

  @Test
  void every_keys_endpoint_answers_under_r0_and_unstable_like_v3() throws Exception {
    try (TestKeydir k = TestKeydir.start(TestDatabase.fresh())) {
      TestKeydir.Device dev = k.createDevice("walt", "WALTDEV");
      SigningDevice d = new SigningDevice(dev);
      for (String prefix :
          new String[] {"/_matrix/client/r0", "/_matrix/client/unstable", "/_matrix/client/v3"}) {
        var up = d.oneTimeKeys("K" + prefix.replace("/", "_"));
        up.set("device_keys", d.deviceKeys());
        Http.Response upload = k.http.post(prefix + "/keys/upload", dev.token(), up);
        assertThat(upload.status()).as(prefix + " upload " + upload).isEqualTo(200);
        assertThat(k.http.post(prefix + "/keys/upload/WALTDEV", dev.token(), "{}").status())
            .isEqualTo(200);
        assertThat(k.http.post(prefix + "/keys/upload/OTHERDEV", dev.token(), "{}").status())
            .isEqualTo(400);
        assertThat(
                k.http
                    .post(
                        prefix + "/keys/query",
                        dev.token(),
                        "{\"device_keys\":{\"" + dev.userId() + "\":[]}}")
                    .json()
                    .path("device_keys")
                    .path(dev.userId())
                    .has("WALTDEV"))
            .as(prefix + " query")
            .isTrue();
        assertThat(
                k.http.post(prefix + "/keys/claim", dev.token(), "{\"one_time_keys\":{}}").status())
            .isEqualTo(200);
        assertThat(k.http.get(prefix + "/keys/changes?from=d0&to=d1", dev.token()).status())
            .isEqualTo(200);
        assertThat(k.http.post(prefix + "/keys/signatures/upload", dev.token(), "{}").status())
            .isEqualTo(200);
        assertThat(k.http.post(prefix + "/keys/device_signing/upload", dev.token(), "{}").status())
            .as(prefix + " device_signing")
            .isNotIn(404, 405, 500);
      }
    }
  }
}
