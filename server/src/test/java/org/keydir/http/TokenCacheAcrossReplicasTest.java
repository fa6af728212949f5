package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Local tokens are kept per replica (auth.cache_ttl, 10 minutes here, so only an invalidation can
 * end them within the test): deleting a device ends its token at once where it was deleted and
 * within moments on the other replica, through LISTEN.
 */
@DisplayName("A deleted device's token stops working on every replica")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenCacheAcrossReplicasTest {
  static final String WHOAMI = "/_matrix/client/v3/account/whoami";
  TestKeydir a;
  TestKeydir b;

  @BeforeAll
  void start() {
    String db = TestDatabase.fresh();
    Map<String, String> env = Map.of("KEYDIR_AUTH_CACHE_TTL", "10m");
    a = TestKeydir.start(db, env);
    b = TestKeydir.start(db, env);
  }

  @AfterAll
  void stop() {
    a.close();
    b.close();
  }

  private void delete(TestKeydir on, TestKeydir.Device d) {
    String path =
        "/_keydir/admin/v1/users/"
            + d.userId().replace("@", "%40").replace(":", "%3A")
            + "/devices/"
            + d.deviceId();
    assertThat(on.http.method("DELETE", path, TestKeydir.ADMIN_TOKEN, null).status())
        .isEqualTo(200);
  }

  @Test
  void on_the_replica_that_deleted_it_at_once() {
    TestKeydir.Device d = a.createDevice("here", "D1");
    assertThat(a.http.get(WHOAMI, d.token()).status()).isEqualTo(200); // now kept by a
    delete(a, d);
    assertThat(a.http.get(WHOAMI, d.token()).status()).isEqualTo(401);
  }

  @Test
  void on_another_replica_within_moments() throws InterruptedException {
    TestKeydir.Device d = a.createDevice("there", "D2");
    TestKeydir.Device other = a.createDevice("there", "D3");
    assertThat(b.http.get(WHOAMI, d.token()).status()).isEqualTo(200); // now kept by b
    assertThat(b.http.get(WHOAMI, other.token()).status()).isEqualTo(200);
    delete(a, d);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int status;
    while ((status = b.http.get(WHOAMI, d.token()).status()) == 200
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(status).as("b still accepted the deleted device's token after 5 s").isEqualTo(401);
    assertThat(b.http.get(WHOAMI, other.token()).status())
        .as("the user's other device keeps its token")
        .isEqualTo(200);
  }
}
