package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.JsonSigning;

/**
 * A federation peer for tests: it authenticates keydir's X-Matrix requests like a strict server —
 * with keydir's keys fetched from a random keydir instance and cached until valid_until_ts, never
 * refetched early (so a signature by a key missing from its cache counts as a failure).
 */
final class FakePeer implements AutoCloseable {
  final String serverName;
  final AtomicInteger verified = new AtomicInteger();
  final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
  final Map<String, Integer> signingKeysSeen = new ConcurrentHashMap<>();
  private final Vertx vertx = Vertx.vertx();
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
  private final HttpServer server;
  private final List<String> keydirBaseUrls;
  private volatile JsonNode cached;
  private volatile long cachedUntil;
  final AtomicInteger fetches = new AtomicInteger();

  /**
   * How long the peer holds each answer after checking the request (a slow peer: keydir's requests
   * queue).
   */
  volatile long answerDelayMs;

  FakePeer(String serverName, List<String> keydirBaseUrls) throws Exception {
    this.serverName = serverName;
    this.keydirBaseUrls = keydirBaseUrls;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body ->
                                vertx
                                    .executeBlocking(
                                        () -> {
                                          String auth = req.getHeader("Authorization");
                                          try {
                                            XMatrixHeader h = XMatrixHeader.parse(auth);
                                            signingKeysSeen.merge(h.keyId(), 1, Integer::sum);
                                            JsonNode keys = keysValidNow();
                                            JsonNode key =
                                                keys.path("verify_keys")
                                                    .path(h.keyId())
                                                    .path("key");
                                            if (key.isMissingNode()) {
                                              failures.add(
                                                  "signed by "
                                                      + h.keyId()
                                                      + ", not in cached verify_keys "
                                                      + keys.path("verify_keys").toString());
                                            } else if (!RequestSignatures.verify(
                                                h,
                                                req.method().name(),
                                                req.uri(),
                                                serverName,
                                                body.length() == 0
                                                    ? null
                                                    : CanonicalJson.parse(body.getBytes()),
                                                JsonSigning.decodePublicKey(key.asText()))) {
                                              failures.add("bad signature by " + h.keyId());
                                            } else {
                                              verified.incrementAndGet();
                                            }
                                          } catch (Exception e) {
                                            failures.add(e.toString());
                                          }
                                          return null;
                                        })
                                    .onComplete(
                                        v ->
                                            vertx.setTimer(
                                                Math.max(1, answerDelayMs),
                                                t ->
                                                    req.response()
                                                        .putHeader(
                                                            "Content-Type", "application/json")
                                                        .end(
                                                            "{\"device_keys\":{},\"one_time_keys\":{}}")))))
            .listen(0)
            .await(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  /**
   * The cached key response, refetched from a random instance only once it is past valid_until_ts.
   */
  private synchronized JsonNode keysValidNow() throws Exception {
    if (cached == null || System.currentTimeMillis() >= cachedUntil) {
      String base = keydirBaseUrls.get(ThreadLocalRandom.current().nextInt(keydirBaseUrls.size()));
      cached =
          CanonicalJson.parse(
              HTTP.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create(base + "/_matrix/key/v2/server"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .body());
      cachedUntil =
          Math.min(
              cached.get("valid_until_ts").asLong(), System.currentTimeMillis() + 7L * 86400_000);
      fetches.incrementAndGet();
    }
    return cached;
  }

  @Override
  public void close() {
    vertx.close();
  }
}
