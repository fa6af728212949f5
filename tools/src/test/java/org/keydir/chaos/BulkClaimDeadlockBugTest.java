package org.keydir.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Found by the chaos harness with no fault injected: a bulk claim answered 500, keydir logging
 * {@code PgException: ERROR: deadlock detected (40P01)}. When the devices of a bulk claim have no
 * one-time key left, the claim statement marks their fallback keys used with an UPDATE that takes
 * the rows' locks in the order the request names the devices; two bulk claims naming the same two
 * devices in opposite orders can each hold one fallback row and wait for the other. PostgreSQL
 * breaks the deadlock by failing one of them, and keydir answers that with 500. In the long chaos
 * run single-device claims failed too: queued on one of those fallback rows, a claim holds the
 * row's tuple lock and so joins the cycle.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BulkClaimDeadlockBugTest {
  @Test
  void bulk_claims_naming_the_same_fallback_only_devices_in_opposite_orders_never_fail()
      throws Exception {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      SigningDevice a = withFallbackKeyOnly(kd, "dla");
      SigningDevice b = withFallbackKeyOnly(kd, "dlb");
      String ab = claimBody(a, b);
      String ba = claimBody(b, a);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          String body = t % 2 == 0 ? ab : ba;
          work.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 100 && failures.isEmpty(); i++) {
                      Http.Response r = kd.http.post(ChaosClient.CLAIM, a.token, body);
                      if (r.status() != 200) failures.add(r.toString());
                    }
                  }));
        }
        for (Future<?> f : work) f.get(5, TimeUnit.MINUTES);
      } finally {
        pool.shutdownNow();
      }
      assertThat(failures).isEmpty();
    }
  }

  private static SigningDevice withFallbackKeyOnly(TestKeydir kd, String localpart) {
    SigningDevice d = new SigningDevice(kd.createDevice(localpart, null));
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("device_keys", d.deviceKeys());
    body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
    assertThat(kd.http.post(ChaosClient.UPLOAD, d.token, body).status()).isEqualTo(200);
    return d;
  }

  private static String claimBody(SigningDevice first, SigningDevice second) {
    return "{\"one_time_keys\":{\""
        + first.userId
        + "\":{\""
        + first.deviceId
        + "\":\"signed_curve25519\"},\""
        + second.userId
        + "\":{\""
        + second.deviceId
        + "\":\"signed_curve25519\"}}}";
  }
}
