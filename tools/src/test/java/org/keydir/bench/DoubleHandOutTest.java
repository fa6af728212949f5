package org.keydir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a broken server that hands out the same key again and again, the bench reports errors.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DoubleHandOutTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Stores uploads per token; every claim returns the device's first key and never removes it. */
  static HttpServer brokenServer(Vertx vertx) {
    Map<String, ObjectNode> keysByUser = new ConcurrentHashMap<>();
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create());
    r.post("/_matrix/client/v3/keys/upload")
        .handler(
            ctx -> {
              String user = ctx.request().getHeader("Authorization").substring("Bearer ".length());
              ObjectNode stored = keysByUser.computeIfAbsent(user, u -> F.objectNode());
              JsonNode otks = Json.parse(ctx.body().buffer()).path("one_time_keys");
              synchronized (stored) {
                otks.fields().forEachRemaining(e -> stored.set(e.getKey(), e.getValue()));
                ObjectNode body = F.objectNode();
                body.putObject("one_time_key_counts").put("signed_curve25519", stored.size());
                ctx.json(body);
              }
            });
    r.post("/_matrix/client/v3/keys/claim")
        .handler(
            ctx -> {
              ObjectNode out = F.objectNode();
              ObjectNode keys = out.putObject("one_time_keys");
              Json.parse(ctx.body().buffer())
                  .path("one_time_keys")
                  .fields()
                  .forEachRemaining(
                      u -> {
                        ObjectNode stored = keysByUser.get(u.getKey());
                        var first = stored.fields().next();
                        keys.putObject(u.getKey())
                            .putObject("DEV")
                            .set(first.getKey(), first.getValue());
                      });
              ctx.json(out);
            });
    return vertx
        .createHttpServer()
        .requestHandler(r)
        .listen(0)
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
        .await();
  }

  @Test
  void every_second_hand_out_of_a_key_is_a_duplicate_key_error(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = brokenServer(vertx);
      Path devices = dir.resolve("devices.csv");
      Files.writeString(devices, "user_id,device_id,access_token\n@x:broken, DEV, @x:broken\n");
      BenchOptions o =
          new BenchOptions(
              URI.create("http://127.0.0.1:" + server.actualPort()),
              null,
              devices,
              "broken",
              0,
              List.of(1),
              RunLimit.ofRequests(10),
              Duration.ZERO,
              Duration.ZERO,
              List.of(Phase.CLAIM),
              5,
              1,
              1,
              10_000,
              1,
              dir,
              Map.of(),
              true);

      JsonNode json = Bench.run(o).json();

      JsonNode level = json.path("levels").get(0);
      assertThat(level.path("keys").asLong()).isEqualTo(1);
      assertThat(level.path("verification_errors").path(LevelStats.DUPLICATE_KEY).asLong())
          .isEqualTo(9);
      assertThat(level.path("errors").asLong()).isEqualTo(9);
      assertThat(
              json.path("checks")
                  .path("verification_errors")
                  .path(LevelStats.DUPLICATE_KEY)
                  .asLong())
          .isEqualTo(9);
    } finally {
      vertx.close().timeout(30, java.util.concurrent.TimeUnit.SECONDS).await();
    }
  }
}
