package org.keydir.usecases;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keydir.admin.CreatedDevice;
import org.keydir.app.Services;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * The replica that deletes a device forgets its tokens itself, with no listener at all (here none
 * runs): it does not depend on its own NOTIFY coming back before the next request.
 */
class DeviceDeletionEndsTokensTest {
  static Vertx vertx;
  static Services services;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    services =
        org.keydir.testing.TestServices.on(
            vertx, TestDatabase.fresh(), Map.of("KEYDIR_AUTH_CACHE_TTL", "10m"));
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  @Test
  void a_kept_token_ends_with_its_device() throws Exception {
    String user = "@del:" + TestKeydir.SERVER_NAME;
    CreatedDevice d =
        await(
            services
                .deviceAdmin()
                .createDevice("test", user, Optional.of("GONE"), Optional.empty()));
    assertThat(await(services.tokens().callerOf(d.accessToken()))).isPresent(); // kept now
    await(services.deviceAdmin().delete("test", user, "GONE"));
    assertThat(await(services.tokens().callerOf(d.accessToken()))).isEmpty();
  }
}
