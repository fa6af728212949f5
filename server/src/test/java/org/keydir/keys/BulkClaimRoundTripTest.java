package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;
import static org.keydir.keys.KeysApi.ok;
import static org.keydir.keys.KeysApi.registered;

import io.vertx.sqlclient.Pool;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.store.ClaimStore;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;
import org.keydir.usecases.KeyClaims;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BulkClaimRoundTripTest {
  /**
   * A Pool that counts the statements sent through it and refuses any other way to the database.
   */
  static Pool counting(Pool real, AtomicInteger statements) {
    return (Pool)
        Proxy.newProxyInstance(
            Pool.class.getClassLoader(),
            new Class<?>[] {Pool.class},
            (p, m, args) -> {
              switch (m.getName()) {
                case "preparedQuery", "query" -> statements.incrementAndGet();
                case "getConnection", "withTransaction", "withConnection" ->
                    throw new AssertionError(
                        "a claim must not need a connection or transaction of its own: " + m);
                default -> {}
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void
      a_claim_for_100_devices_is_one_statement_one_database_round_trip_for_keys_and_fallbacks_together() {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        TestDatabase.onCitus(),
        "plain PostgreSQL: on Citus a claim across "
            + "shards is one statement per shard in one transaction (CitusLayoutTest, CrossShardClaimsTest)");
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      List<SigningDevice> devices = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        SigningDevice d = registered(kd);
        if (i % 2 == 0) {
          ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("K" + i)));
        } else {
          var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
          body.putObject("fallback_keys").set("signed_curve25519:F" + i, d.signedKey(true));
          ok(kd.http.post(UPLOAD, d.token, body));
        }
        devices.add(d);
      }
      AtomicInteger statements = new AtomicInteger();
      Pool counted = counting(kd.keydir.database().pool(), statements);
      KeyClaims claims =
          new KeyClaims(
              counted,
              counted,
              new ClaimStore(),
              TestKeydir.SERVER_NAME,
              Clock.systemUTC(),
              RemoteServers.none(),
              RemoteLimits.NONE,
              5_000,
              claimed -> {});
      List<DeviceAlgorithm> wanted =
          devices.stream()
              .map(d -> new DeviceAlgorithm(d.userId, d.deviceId, "signed_curve25519"))
              .toList();

      KeyClaims.Result result =
          claims
              .claim(new ClaimRequest(wanted, 10_000))
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await();

      assertThat(statements.get()).isEqualTo(1);
      assertThat(result.keys()).hasSize(100);
      assertThat(result.keys().stream().filter(ClaimedKey::fallback)).hasSize(50);
      assertThat(result.keys().stream().filter(k -> !k.fallback()).map(k -> k.keyId().id()))
          .allMatch(id -> id.startsWith("K"));
    }
  }
}
