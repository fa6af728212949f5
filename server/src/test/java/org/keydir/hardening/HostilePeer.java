package org.keydir.hardening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.Ed25519;
import org.keydir.crypto.JsonSigning;
import org.keydir.federation.RequestSignatures;
import org.keydir.federation.XMatrixHeader;

/**
 * A federation peer on loopback that a test scripts: by default it publishes its signing keys at
 * {@code /_matrix/key/v2/server} as the spec says; {@link #onKeys} replaces that answer with
 * anything (thousands of keys, an endless body, a drip). It counts what keydir asked of it and how
 * many bytes it managed to send, and signs requests as its server name for tests.
 */
final class HostilePeer implements AutoCloseable {
  final String serverName;
  final AtomicInteger keyFetches = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicInteger connections = new AtomicInteger();
  final Map<String, Ed25519.KeyPair> keys = new ConcurrentHashMap<>();
  volatile long validForMs = 3_600_000;
  private volatile Consumer<HttpServerRequest> keyHandler = this::publishKeys;
  private volatile Consumer<HttpServerRequest> otherHandler =
      req ->
          req.response()
              .putHeader("Content-Type", "application/json")
              .end("{\"device_keys\":{},\"one_time_keys\":{}}");
  final Vertx vertx = Vertx.vertx();
  private final HttpServer server;

  HostilePeer(String serverName) throws Exception {
    this.serverName = serverName;
    addKey("ed25519:first");
    server =
        vertx
            .createHttpServer()
            .connectionHandler(c -> connections.incrementAndGet())
            .requestHandler(
                req -> {
                  requests.incrementAndGet();
                  if (req.path().equals("/_matrix/key/v2/server")) {
                    keyFetches.incrementAndGet();
                    keyHandler.accept(req);
                  } else {
                    otherHandler.accept(req);
                  }
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  void addKey(String keyId) {
    keys.put(keyId, Ed25519.generate(new SecureRandom()));
  }

  void onKeys(Consumer<HttpServerRequest> handler) {
    keyHandler = handler;
  }

  void onOther(Consumer<HttpServerRequest> handler) {
    otherHandler = handler;
  }

  /** The spec's key response: every key listed and signing it. */
  ObjectNode keyResponse() {
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("server_name", serverName)
            .put("valid_until_ts", System.currentTimeMillis() + validForMs);
    ObjectNode verify = body.putObject("verify_keys");
    keys.forEach((id, kp) -> verify.putObject(id).put("key", kp.publicKeyBase64()));
    body.putObject("old_verify_keys");
    for (var e : keys.entrySet())
      body = JsonSigning.sign(body, serverName, e.getKey(), e.getValue().seed());
    return body;
  }

  private void publishKeys(HttpServerRequest req) {
    send(req, CanonicalJson.encode(keyResponse()));
  }

  void send(HttpServerRequest req, String body) {
    bytesSent.addAndGet(body.length());
    req.response().putHeader("Content-Type", "application/json").end(body);
  }

  /**
   * Writes {@code chunk} again and again (chunked) until keydir hangs up or {@code limit} bytes
   * went out.
   */
  void stream(HttpServerRequest req, Buffer chunk, long limit) {
    var resp = req.response().setChunked(true).putHeader("Content-Type", "application/json");
    resp.write("{\"server_name\":\"" + serverName + "\",\"junk\":\"");
    Runnable[] more = new Runnable[1];
    more[0] =
        () -> {
          while (!resp.writeQueueFull() && !resp.closed() && bytesSent.get() < limit) {
            resp.write(chunk);
            bytesSent.addAndGet(chunk.length());
          }
          if (!resp.closed() && bytesSent.get() < limit) resp.drainHandler(v -> more[0].run());
          else if (!resp.closed()) resp.end("\"}");
        };
    more[0].run();
  }

  /** An X-Matrix header for a request from this peer, signed by {@code keyId}. */
  String authorization(
      String keyId, String method, String uri, String destination, JsonNode content) {
    Ed25519.KeyPair kp = keys.get(keyId);
    byte[] seed = kp != null ? kp.seed() : new byte[32];
    XMatrixHeader h =
        RequestSignatures.sign(method, uri, serverName, destination, content, keyId, seed);
    return h.format();
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
