package org.keydir.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keydir.auth.Caller;
import org.keydir.auth.TokenVerdict;
import org.keydir.store.Database;
import org.keydir.store.DatabaseUrl;
import org.keydir.store.DeviceListStore;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * An invalidation drops the verdict on the replica that received it before it returns, not when its
 * own NOTIFY comes back (the caller's next request may come first).
 */
class LocalVerdictDropTest {
  static Vertx vertx;
  static HostNotices notices;
  static VerdictCache verdicts;

  @BeforeAll
  static void start() {
    String url = TestDatabase.fresh();
    vertx = Vertx.vertx();
    var cfg = TestKeydir.config(url, java.util.Map.of());
    var pool = Database.connect(vertx, DatabaseUrl.parse(url), cfg.database()).pool();
    verdicts = new VerdictCache(600_000, 5_000, 100, Clock.systemUTC(), Ticker.systemTicker());
    notices =
        HostNotices.listen(
            vertx,
            DatabaseUrl.parse(url).options(),
            pool,
            new DeviceListFeed(vertx, pool, new DeviceListStore(Clock.systemUTC())),
            verdicts,
            () -> {});
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static void cache(String token) throws Exception {
    verdicts
        .get(
            VerdictCache.key(token),
            () ->
                Future.succeededFuture(
                    TokenVerdict.valid(new Caller("@v:test", "DEV"), Optional.empty())),
            vertx.getOrCreateContext())
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_token_s_verdict_is_gone_here_when_the_call_returns() throws Exception {
    cache("syt_a");
    assertThat(verdicts.size()).isEqualTo(1);
    notices.invalidateToken(
        VerdictCache.key("syt_a")); // not awaited: the NOTIFY is still on its way
    assertThat(verdicts.size()).isZero();
  }

  @Test
  void a_device_s_verdicts_are_gone_here_when_the_call_returns() throws Exception {
    cache("syt_b");
    notices.invalidateDevice("@v:test", "DEV");
    assertThat(verdicts.size()).isZero();
  }
}
