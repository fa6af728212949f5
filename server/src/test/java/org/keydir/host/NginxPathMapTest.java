package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.keydir.testing.FakeHost;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * The shipped path map (deploy/proxy/) in a real nginx (Debian's package), in front of keydir in
 * delegated mode and a fake homeserver. What the test changes is only what every operator edits:
 * upstreams.conf (where the two sides listen), tls.conf (a self-signed certificate for 127.0.0.1)
 * and the listen ports of matrix.conf; keydir-locations.conf and the proxy settings run as shipped.
 */
@DisplayName("deploy/proxy: the nginx path map in a real nginx")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxPathMapTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeHost host;
  private TestKeydir keydir;
  private Process nginx;
  private HttpClient client;
  private String base;
  private String federationBase;
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    String binary =
        List.of("/usr/sbin/nginx", "/usr/bin/nginx").stream()
            .filter(p -> new File(p).canExecute())
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "nginx is not installed: apt-get install nginx-light "
                            + "(.ci/run installs it)"));
    host = new FakeHost(TestKeydir.SERVER_NAME);
    keydir = TestKeydir.start(TestDatabase.fresh(), DelegatedAuthTest.whoamiEnv(host));
    dir = TestDatabase.tempDir("nginx-path-map");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(dir.resolve("logs"));
    Path shipped = Path.of("deploy/proxy");
    try (var files = Files.list(shipped)) {
      for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
    }
    int https = freePort();
    int federation = freePort();
    String matrix = Files.readString(dir.resolve("matrix.conf"));
    Files.writeString(
        dir.resolve("matrix.conf"),
        matrix
            .replace("listen 443 ", "listen 127.0.0.1:" + https + " ")
            .replace("listen 8448 ", "listen 127.0.0.1:" + federation + " ")
            .replaceAll("(?m)^\\s*listen \\[::\\].*$", ""));
    Files.writeString(
        dir.resolve("upstreams.conf"),
        "upstream keydir { server 127.0.0.1:"
            + keydir.keydir.port()
            + "; keepalive 8; }\nupstream homeserver { server 127.0.0.1:"
            + host.port()
            + "; keepalive 8; }\n");
    run(
        "openssl",
        "req",
        "-x509",
        "-nodes",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        dir.resolve("key.pem").toString(),
        "-out",
        dir.resolve("cert.pem").toString());
    Files.writeString(
        dir.resolve("tls.conf"),
        "ssl_certificate "
            + dir.resolve("cert.pem")
            + ";\nssl_certificate_key "
            + dir.resolve("key.pem")
            + ";\n");
    nginx =
        new ProcessBuilder(
                binary,
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-g",
                "daemon off; pid "
                    + dir.resolve("nginx.pid")
                    + "; error_log "
                    + dir.resolve("logs/error.log")
                    + ";")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/stdout.log").toFile())
            .start();
    waitForPort(https);
    waitForPort(federation);
    client =
        HttpClient.newBuilder()
            .sslContext(trusting(dir.resolve("cert.pem")))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    base = "https://127.0.0.1:" + https;
    federationBase = "https://127.0.0.1:" + federation;
  }

  @AfterAll
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      if (!nginx.waitFor(10, TimeUnit.SECONDS)) nginx.destroyForcibly();
    }
    if (keydir != null) keydir.close();
    if (host != null) host.close();
  }

  record Reply(int status, JsonNode json, String text) {
    boolean fromHomeserver() {
      return json != null && "homeserver".equals(json.path("served_by").asText());
    }
  }

  private Reply send(String url, String method, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(r.body());
    } catch (Exception e) {
      json = null;
    }
    return new Reply(r.statusCode(), json, r.body());
  }

  @Test
  void every_keys_path_reaches_keydir_under_every_prefix() throws Exception {
    host.login("syt_path_user", "@paula:" + TestKeydir.SERVER_NAME, "PAULADEV");
    for (String prefix :
        List.of("/_matrix/client/v3", "/_matrix/client/r0", "/_matrix/client/unstable")) {
      for (String path :
          List.of(
              "/keys/upload",
              "/keys/upload/PAULADEV",
              "/keys/query",
              "/keys/claim",
              "/keys/device_signing/upload",
              "/keys/signatures/upload")) {
        Reply r = send(base + prefix + path, "POST", "syt_path_user", "{}");
        assertThat(r.fromHomeserver()).as(prefix + path + " → " + r.text()).isFalse();
        assertThat(r.status()).as(prefix + path + " → " + r.text()).isNotIn(404, 405, 502, 504);
      }
      Reply changes =
          send(base + prefix + "/keys/changes?from=d0&to=d1", "GET", "syt_path_user", null);
      assertThat(changes.status()).as(changes.text()).isEqualTo(200);
      assertThat(changes.fromHomeserver()).isFalse();
    }
    for (String path :
        List.of(
            "/_matrix/client/v3/keys/reset",
            "/_matrix/client/unstable/org.matrix.msc4162/keys/reset")) {
      assertThat(send(base + path, "POST", "syt_path_user", "{}").fromHomeserver())
          .as(path)
          .isFalse();
    }
    assertThat(
            send(
                    base + "/_matrix/client/unstable/io.keydir/keys/one_time_keys",
                    "GET",
                    "syt_path_user",
                    null)
                .status())
        .isEqualTo(200);
  }

  @Test
  void
      federation_keys_paths_reach_keydir_on_both_ports_and_the_key_endpoint_stays_with_the_homeserver()
          throws Exception {
    for (String b : List.of(base, federationBase)) {
      for (String[] call :
          List.of(
              new String[] {"POST", "/_matrix/federation/v1/user/keys/query"},
              new String[] {"POST", "/_matrix/federation/v1/user/keys/claim"},
              new String[] {"GET", "/_matrix/federation/v1/user/devices/%40paula%3Atest.keydir"})) {
        Reply r = send(b + call[1], call[0], null, call[0].equals("POST") ? "{}" : null);
        assertThat(r.fromHomeserver()).as(call[1]).isFalse();
        assertThat(r.status()).as(call[1] + " unsigned → keydir's 401: " + r.text()).isEqualTo(401);
        assertThat(r.json().path("errcode").asText()).isEqualTo("M_UNAUTHORIZED");
      }
      for (String[] call :
          List.of(
              new String[] {"GET", "/_matrix/key/v2/server"},
              new String[] {"POST", "/_matrix/key/v2/query"},
              new String[] {"GET", "/_matrix/federation/v1/version"})) {
        Reply r = send(b + call[1], call[0], null, call[0].equals("GET") ? null : "{}");
        assertThat(r.status()).as(call[1] + " " + r.text()).isEqualTo(200);
        assertThat(r.fromHomeserver() || r.json().has("verify_keys"))
            .as(call[1] + " " + r.text())
            .isTrue();
      }
      assertThat(
              send(b + "/_matrix/key/v2/server", "GET", null, null)
                  .json()
                  .path("server_name")
                  .asText())
          .isEqualTo(TestKeydir.SERVER_NAME);
      int before = host.sendAttempts.get();
      send(
          b + "/_matrix/federation/v1/send/txn1",
          "PUT",
          null,
          "{}"); // unsigned: the homeserver refuses it
      assertThat(host.sendAttempts.get()).as("/send reached the homeserver").isEqualTo(before + 1);
    }
  }

  @Test
  void everything_else_reaches_the_homeserver_with_the_uri_and_headers_it_needs() throws Exception {
    for (String[] call :
        List.of(
            new String[] {"POST", "/_matrix/client/v3/login"},
            new String[] {"GET", "/_matrix/client/versions"},
            new String[] {"GET", "/_matrix/client/v3/room_keys/version"},
            new String[] {
              "PUT", "/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/t1"
            },
            new String[] {"GET", "/_matrix/client/v3/keys/backup_not_a_keydir_path"},
            new String[] {"GET", "/metrics"},
            new String[] {"GET", "/.well-known/matrix/client"})) {
      Reply r = send(base + call[1], call[0], "syt_anything", call[0].equals("GET") ? null : "{}");
      assertThat(r.fromHomeserver()).as(call[1] + " → " + r.text()).isTrue();
      assertThat(r.json().path("raw_uri").asText()).as("URI passed unchanged").isEqualTo(call[1]);
      assertThat(r.json().path("host").asText()).startsWith("127.0.0.1");
      assertThat(r.json().path("x_forwarded_for").asText()).isEqualTo("127.0.0.1");
    }
    host.login("syt_who", "@wanda:" + TestKeydir.SERVER_NAME, "WANDADEV");
    Reply whoami = send(base + "/_matrix/client/v3/account/whoami", "GET", "syt_who", null);
    assertThat(whoami.json().path("is_guest").isBoolean())
        .as("the homeserver's whoami: " + whoami.text())
        .isTrue();
  }

  @Test
  void sync_goes_through_keydir_to_the_homeserver() throws Exception {
    host.login("syt_syncer", "@sid:" + TestKeydir.SERVER_NAME, "SIDDEV");
    for (String prefix : List.of("/_matrix/client/v3", "/_matrix/client/r0")) {
      Reply r =
          send(base + prefix + "/sync?since=s72594_4483_1934&timeout=0", "GET", "syt_syncer", null);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().path("next_batch").asText()).as("wrapped by keydir").startsWith("kd1~");
      assertThat(r.json().path("device_one_time_keys_count").path("signed_curve25519").asInt())
          .isZero();
      assertThat(host.lastSyncQuery).isEqualTo("since=s72594_4483_1934&timeout=0");
    }
    Reply sliding =
        send(
            base + "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=0",
            "POST",
            "syt_syncer",
            "{\"extensions\":{\"e2ee\":{\"enabled\":true}}}");
    assertThat(sliding.status()).as(sliding.text()).isEqualTo(200);
    assertThat(sliding.json().path("pos").asText()).startsWith("kd1~");
  }

  @Test
  void the_admin_api_is_reachable_from_the_operator_side_and_the_internal_api_never()
      throws Exception {
    Reply admin = send(base + "/_keydir/admin/v1/audit", "GET", TestKeydir.ADMIN_TOKEN, null);
    assertThat(admin.status()).as(admin.text()).isEqualTo(200);
    for (String path :
        List.of("/_keydir/internal/v1/sync_state", "/_keydir/internal/v1/device_list_changes")) {
      Reply r =
          send(
              base + path,
              path.endsWith("sync_state") ? "POST" : "GET",
              DelegatedAuthTest.INTERNAL_TOKEN,
              path.endsWith("sync_state") ? "{\"devices\":[]}" : null);
      assertThat(r.status()).as(path + " " + r.text()).isEqualTo(404);
      assertThat(r.json().path("errcode").asText()).isEqualTo("M_UNRECOGNIZED");
    }
  }

  @Test
  void a_homeserver_token_uploads_and_another_user_claims_through_the_proxy() throws Exception {
    String alice = "@alma:" + TestKeydir.SERVER_NAME;
    host.login("syt_alma", alice, "ALMADEV");
    host.login("syt_bert", "@bert:" + TestKeydir.SERVER_NAME, "BERTDEV");
    SigningDevice d = new SigningDevice(alice, "ALMADEV", "syt_alma");
    var up = d.oneTimeKeys("P1");
    up.set("device_keys", d.deviceKeys());
    Reply uploaded =
        send(base + "/_matrix/client/v3/keys/upload", "POST", "syt_alma", up.toString());
    assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
    assertThat(uploaded.json().path("one_time_key_counts").path("signed_curve25519").asInt())
        .isEqualTo(1);
    Reply claimed =
        send(
            base + "/_matrix/client/v3/keys/claim",
            "POST",
            "syt_bert",
            "{\"one_time_keys\":{\"" + alice + "\":{\"ALMADEV\":\"signed_curve25519\"}}}");
    assertThat(
            claimed
                .json()
                .path("one_time_keys")
                .path(alice)
                .path("ALMADEV")
                .has("signed_curve25519:P1"))
        .isTrue();
    Reply unknown = send(base + "/_matrix/client/v3/keys/upload", "POST", "syt_nobody_knows", "{}");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.json().path("errcode").asText()).isEqualTo("M_UNKNOWN_TOKEN");
  }

  private static SSLContext trusting(Path certFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(certFile)) {
      store.setCertificateEntry(
          "nginx", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
  }

  private void waitForPort(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!nginx.isAlive()) {
        Path errors = dir.resolve("logs/error.log");
        throw new AssertionError(
            "nginx exited: "
                + Files.readString(dir.resolve("logs/stdout.log"))
                + (Files.exists(errors) ? Files.readString(errors) : ""));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("nginx did not listen on " + port);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
