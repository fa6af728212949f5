package org.keydir.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;

/**
 * A homeserver for tests, on a real loopback socket, answering as the spec says: whoami
 * (client-server "GET /account/whoami"), RFC 7662 introspection as matrix-authentication-service
 * answers it, and its own signing key at {@code /_matrix/key/v2/server} (server-server "Publishing
 * Keys"). Any other path answers {@code {"served_by": "homeserver", "path": …}}, so a proxy test
 * can tell which side a request reached. Its faults: {@link Mode}.
 */
public final class FakeHost implements AutoCloseable {
  public enum Mode {
    UP,
    ERROR_500,
    SLOW
  }

  public static final String CLIENT_ID = "keydir-client";
  public static final String CLIENT_SECRET = "keydir-client-secret-0123";
  private static final ObjectMapper JSON = new ObjectMapper();

  public final String serverName;
  public final AtomicInteger whoamiCalls = new AtomicInteger();
  public final AtomicInteger introspectionCalls = new AtomicInteger();

  /** token → (user id, device id or null) as the host's own sessions. */
  public final Map<String, String[]> tokens = new ConcurrentHashMap<>();

  /** token → the whole introspection answer, when a test wants a particular one. */
  public final Map<String, ObjectNode> introspection = new ConcurrentHashMap<>();

  public volatile Mode mode = Mode.UP;

  /**
   * Federation transactions received ({@code PUT /send/{txnId}}), each with its verified origin's
   * EDUs.
   */
  public final java.util.List<JsonNode> transactions =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public final java.util.List<String> transactionFailures =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  public final AtomicInteger sendAttempts = new AtomicInteger();

  /** origin server → its verify key (id, base64): how this host checks X-Matrix on transactions. */
  public final Map<String, String[]> trustedOrigins = new ConcurrentHashMap<>();

  public final AtomicInteger syncCalls = new AtomicInteger();

  /** The raw query string and headers of the last /sync the host received. */
  public volatile String lastSyncQuery;

  public volatile com.sun.net.httpserver.Headers lastSyncHeaders;

  /** Users the host itself puts into device_lists.changed (it learnt of them on its own). */
  public final java.util.List<String> hostChanged =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public final String keyId = "ed25519:a_host";
  private final byte[] seed = Ed25519.generate(new java.security.SecureRandom()).seed();
  private HttpServer server;
  private int port;

  public FakeHost(String serverName) throws IOException {
    this.serverName = serverName;
    start(0);
  }

  private void start(int onPort) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 64);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Nothing listens any more: connections are refused until {@link #restart()}. */
  public void stop() {
    server.stop(0);
  }

  public void restart() throws IOException {
    start(port);
  }

  public void login(String token, String userId, String deviceId) {
    tokens.put(token, new String[] {userId, deviceId});
  }

  /**
   * A user of this host logged in on {@code deviceId}: its token is the host's, its keys the test's
   * to sign.
   */
  public SigningDevice loggedIn(String localpart, String deviceId) {
    String user = "@" + localpart + ":" + serverName;
    String token = "syt_" + localpart + "_" + deviceId;
    login(token, user, deviceId);
    return new SigningDevice(user, deviceId, token);
  }

  /** Synapse's signing.key line for this host's key. */
  public Path writeSigningKey(Path dir) throws IOException {
    Path file = dir.resolve("host.signing.key");
    Files.writeString(
        file,
        "ed25519 "
            + keyId.substring(8)
            + " "
            + Base64.getEncoder().withoutPadding().encodeToString(seed)
            + "\n");
    return file;
  }

  public String publicKey() {
    return Ed25519.fromSeed(seed).publicKeyBase64();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.startsWith("/_matrix/federation/v1/send/")) sendAttempts.incrementAndGet();
      if (mode == Mode.SLOW) sleep(3_000);
      if (mode == Mode.ERROR_500 && !path.startsWith("/_matrix/key/")) {
        reply(ex, 500, "{\"errcode\":\"M_UNKNOWN\",\"error\":\"internal error\"}");
        return;
      }
      if (path.equals("/_matrix/client/v3/account/whoami")) whoami(ex);
      else if (path.equals("/oauth2/introspect")) introspect(ex);
      else if (path.equals("/_matrix/client/v3/sync") || path.equals("/_matrix/client/r0/sync"))
        sync(ex);
      else if (path.equals("/_matrix/client/unstable/org.matrix.simplified_msc3575/sync"))
        slidingSync(ex);
      else if (path.equals("/_matrix/key/v2/server")) reply(ex, 200, serverKeys().toString());
      else if (path.startsWith("/_matrix/federation/v1/send/")
          && ex.getRequestMethod().equals("PUT")) transaction(ex);
      else {
        byte[] body = ex.getRequestBody().readAllBytes();
        ObjectNode o =
            JsonNodeFactory.instance
                .objectNode()
                .put("served_by", "homeserver")
                .put("path", path)
                .put(
                    "raw_uri",
                    ex.getRequestURI().getRawPath()
                        + (ex.getRequestURI().getRawQuery() == null
                            ? ""
                            : "?" + ex.getRequestURI().getRawQuery()))
                .put("method", ex.getRequestMethod())
                .put("body_bytes", body.length);
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host != null) o.put("host", host);
        String fwd = ex.getRequestHeaders().getFirst("X-Forwarded-For");
        if (fwd != null) o.put("x_forwarded_for", fwd);
        reply(ex, 200, o.toString());
      }
    }
  }

  private void whoami(HttpExchange ex) throws IOException {
    whoamiCalls.incrementAndGet();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String[] who =
        auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
    if (who == null) {
      reply(
          ex,
          401,
          "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\",\"soft_logout\":false}");
      return;
    }
    ObjectNode o =
        JsonNodeFactory.instance.objectNode().put("user_id", who[0]).put("is_guest", false);
    if (who[1] != null) o.put("device_id", who[1]);
    reply(ex, 200, o.toString());
  }

  private void introspect(HttpExchange ex) throws IOException {
    introspectionCalls.incrementAndGet();
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
        || !"POST".equals(ex.getRequestMethod())) {
      reply(ex, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    String token = null;
    for (String pair :
        new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
      if (pair.startsWith("token="))
        token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
    }
    ObjectNode given = token == null ? null : introspection.get(token);
    if (given != null) {
      reply(ex, 200, given.toString());
      return;
    }
    String[] who = token == null ? null : tokens.get(token);
    if (who == null) {
      reply(ex, 200, "{\"active\":false}");
      return;
    }
    String scope =
        "openid urn:matrix:client:api:*"
            + (who[1] == null ? "" : " urn:matrix:client:device:" + who[1]);
    reply(
        ex,
        200,
        JsonNodeFactory.instance
            .objectNode()
            .put("active", true)
            .put("scope", scope)
            .put("client_id", "element")
            .put("username", who[0].substring(1, who[0].indexOf(':')))
            .put("token_type", "access_token")
            .put("exp", System.currentTimeMillis() / 1000 + 3600)
            .put("sub", "01HZ" + who[0].hashCode())
            .toString());
  }

  /**
   * An answer shaped like the spec's example for {@code GET /sync} (client-server API, "Syncing"),
   * with the host's own (empty) key counts: what an unmodified homeserver says of keys it never
   * saw.
   */
  public ObjectNode syncAnswer(String nextBatch) throws IOException {
    ObjectNode o =
        (ObjectNode)
            JSON.readTree(
                """
        {"account_data":{"events":[{"content":{"custom_config_key":"custom_config_value"},"type":"org.example.custom.config"}]},
         "next_batch":"NEXT",
         "presence":{"events":[{"content":{"avatar_url":"mxc://localhost/wefuiwegh8742w","currently_active":false,
           "last_active_ago":2478593,"presence":"online","status_msg":"Making cupcakes"},"sender":"@example:localhost",
           "type":"m.presence"}]},
         "rooms":{"join":{"!726s6s6q:example.com":{"summary":{"m.heroes":["@alice:example.com","@bob:example.com"],
           "m.invited_member_count":0,"m.joined_member_count":2},
           "timeline":{"events":[{"content":{"body":"This is an example text message","format":"org.matrix.custom.html",
             "formatted_body":"<b>This is an example text message</b>","msgtype":"m.text"},"event_id":"$143273582443PhrSn:example.org",
             "origin_server_ts":1432735824653,"sender":"@example:example.org","type":"m.room.message",
             "unsigned":{"age":1234,"membership":"join"}}],"limited":true,"prev_batch":"t34-23535_0_0"},
           "unread_notifications":{"highlight_count":1,"notification_count":5}}}},
         "to_device":{"events":[{"content":{"algorithm":"m.megolm.v1.aes-sha2","room_id":"!Cuyf34gef24t:localhost",
           "session_id":"X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cNw","session_key":"AgAAAADxKHa9uFxcXzwYoNueL5Xqi69IkD4sni8Llf..."},
           "sender":"@alice:example.com","type":"m.room_key"}]},
         "device_one_time_keys_count":{"signed_curve25519":0},
         "device_unused_fallback_key_types":[],
         "org.matrix.msc2732.device_unused_fallback_key_types":[]}""");
    o.put("next_batch", nextBatch);
    if (!hostChanged.isEmpty()) {
      ObjectNode lists = o.putObject("device_lists");
      hostChanged.forEach(lists.putArray("changed")::add);
      lists.putArray("left").add("@gone:example.com");
    }
    return o;
  }

  private void sync(HttpExchange ex) throws IOException {
    syncCalls.incrementAndGet();
    lastSyncQuery = ex.getRequestURI().getRawQuery();
    lastSyncHeaders = ex.getRequestHeaders();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !tokens.containsKey(auth.substring(7))) {
      reply(
          ex,
          401,
          "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\",\"soft_logout\":true}");
      return;
    }
    String q = lastSyncQuery == null ? "" : lastSyncQuery;
    if (q.contains("filter=bad")) {
      ex.getResponseHeaders().set("X-Host-Says", "no");
      reply(ex, 400, "{\"errcode\":\"M_INVALID_PARAM\",\"error\":\"Invalid filter\"}");
      return;
    }
    java.util.regex.Matcher timeout =
        java.util.regex.Pattern.compile("(?:^|&)timeout=([0-9]+)").matcher(q);
    long wait = timeout.find() ? Math.min(Long.parseLong(timeout.group(1)), 5_000) : 0;
    if (wait > 0) sleep(wait); // a quiet long-poll: nothing happens on the host
    ex.getResponseHeaders().set("X-Host-Says", "yes");
    reply(ex, 200, syncAnswer("s" + syncCalls.get() + "_4483_1934").toString());
  }

  private void transaction(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    try {
      JsonNode txn = JSON.readTree(body);
      var h =
          org.keydir.federation.XMatrixHeader.parse(
              ex.getRequestHeaders().getFirst("Authorization"));
      String[] key = trustedOrigins.get(h.origin());
      if (key == null
          || !key[0].equals(h.keyId())
          || !org.keydir.federation.RequestSignatures.verify(
              h,
              "PUT",
              ex.getRequestURI().getRawPath(),
              serverName,
              org.keydir.crypto.CanonicalJson.parse(body),
              JsonSigning.decodePublicKey(key[1]))) {
        transactionFailures.add("bad or unknown signature: " + h.origin() + " " + h.keyId());
        reply(ex, 401, "{\"errcode\":\"M_UNAUTHORIZED\",\"error\":\"bad signature\"}");
        return;
      }
      transactions.add(txn);
      reply(ex, 200, "{\"pdus\":{}}");
    } catch (RuntimeException e) {
      transactionFailures.add(e.toString());
      reply(ex, 400, "{\"errcode\":\"M_BAD_JSON\",\"error\":\"bad\"}");
    }
  }

  /**
   * An X-Matrix Authorization header for a request from this server (as origin) to {@code
   * destination}.
   */
  public String xMatrix(String method, String uri, String destination, JsonNode content) {
    return org.keydir.federation.RequestSignatures.sign(
            method, uri, serverName, destination, content, keyId, seed)
        .format();
  }

  public volatile String lastSlidingBody;

  /**
   * Simplified sliding sync (MSC4186) as an unmodified host answers it: {@code pos}, one list, one
   * room, and the e2ee extension (MSC3884) with its own empty counts only when the request turned
   * it on in this very request (this host keeps no sticky state: keydir must carry it).
   */
  public ObjectNode slidingAnswer(String pos, boolean e2ee) throws IOException {
    ObjectNode o =
        (ObjectNode)
            JSON.readTree(
                """
        {"pos":"POS","lists":{"all_rooms":{"count":1}},
         "rooms":{"!726s6s6q:example.com":{"name":"Example room","initial":true,"bump_stamp":12,
           "timeline":[{"content":{"body":"hi","msgtype":"m.text"},"event_id":"$143273582443PhrSn:example.org",
             "origin_server_ts":1432735824653,"sender":"@example:example.org","type":"m.room.message"}]}},
         "extensions":{"to_device":{"next_batch":"td5","events":[]}}}""");
    o.put("pos", pos);
    if (e2ee) {
      ObjectNode e = ((ObjectNode) o.get("extensions")).putObject("e2ee");
      e.putObject("device_one_time_keys_count").put("signed_curve25519", 0);
      e.putArray("device_unused_fallback_key_types");
    }
    return o;
  }

  private void slidingSync(HttpExchange ex) throws IOException {
    syncCalls.incrementAndGet();
    lastSyncQuery = ex.getRequestURI().getRawQuery();
    lastSyncHeaders = ex.getRequestHeaders();
    lastSlidingBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (!"POST".equals(ex.getRequestMethod())
        || auth == null
        || !auth.startsWith("Bearer ")
        || !tokens.containsKey(auth.substring(7))) {
      reply(
          ex, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\"}");
      return;
    }
    boolean e2ee =
        JSON.readTree(lastSlidingBody)
            .path("extensions")
            .path("e2ee")
            .path("enabled")
            .asBoolean(false);
    reply(ex, 200, slidingAnswer("p" + syncCalls.get(), e2ee).toString());
  }

  private ObjectNode serverKeys() {
    ObjectNode o =
        JsonNodeFactory.instance
            .objectNode()
            .put("server_name", serverName)
            .put("valid_until_ts", System.currentTimeMillis() + 3_600_000);
    o.putObject("verify_keys").putObject(keyId).put("key", publicKey());
    o.putObject("old_verify_keys");
    return JsonSigning.sign(o, serverName, keyId, seed);
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static JsonNode parse(String s) throws IOException {
    return JSON.readTree(s);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
