package org.keydir.usecases;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.keydir.auth.AccessTokens;
import org.keydir.auth.Caller;

/**
 * The per-replica token cache: what it keeps, what it forgets, and the lookup it must not trust.
 */
class LocalTokensTest {
  static final Caller ALICE_PHONE = new Caller("@alice:test", "PHONE");
  static final Caller ALICE_LAPTOP = new Caller("@alice:test", "LAPTOP");
  static final Map<String, Caller> STORED =
      Map.of(hex("tok-phone"), ALICE_PHONE, hex("tok-laptop"), ALICE_LAPTOP);

  final List<String> lookups = new ArrayList<>();

  static String hex(String token) {
    return HexFormat.of().formatHex(AccessTokens.hash(token));
  }

  LocalTokens tokens(long ttlMs) {
    return new LocalTokens(
        hash -> {
          String key = HexFormat.of().formatHex(hash);
          lookups.add(key);
          return Future.succeededFuture(Optional.ofNullable(STORED.get(key)));
        },
        ttlMs,
        100);
  }

  @Test
  void a_valid_token_is_looked_up_once_then_answered_from_the_cache() {
    LocalTokens t = tokens(60_000);
    for (int i = 0; i < 3; i++) assertThat(t.callerOf("tok-phone").result()).contains(ALICE_PHONE);
    assertThat(lookups).containsExactly(hex("tok-phone"));
  }

  @Test
  void an_unknown_token_is_looked_up_every_time() {
    LocalTokens t = tokens(60_000);
    for (int i = 0; i < 3; i++) assertThat(t.callerOf("tok-nobody").result()).isEmpty();
    assertThat(lookups).hasSize(3);
  }

  @Test
  void a_deleted_device_loses_its_tokens_and_only_its_own() {
    LocalTokens t = tokens(60_000);
    t.callerOf("tok-phone");
    t.callerOf("tok-laptop");
    t.invalidateDevice("@alice:test", "PHONE");
    t.callerOf("tok-phone");
    t.callerOf("tok-laptop");
    assertThat(lookups).containsExactly(hex("tok-phone"), hex("tok-laptop"), hex("tok-phone"));
  }

  @Test
  void a_cache_ttl_of_zero_keeps_nothing() {
    LocalTokens t = tokens(0);
    t.callerOf("tok-phone");
    t.callerOf("tok-phone");
    assertThat(lookups).hasSize(2);
  }

  @Test
  void a_lookup_in_flight_when_the_device_is_deleted_does_not_fill_the_cache() {
    List<Promise<Optional<Caller>>> pending = new ArrayList<>();
    LocalTokens t =
        new LocalTokens(
            hash -> {
              Promise<Optional<Caller>> p = Promise.promise();
              pending.add(p);
              return p.future();
            },
            60_000,
            100);
    Future<Optional<Caller>> first = t.callerOf("tok-phone"); // read before the delete committed
    t.invalidateDevice("@alice:test", "PHONE"); // the notice arrives first
    pending.get(0).complete(Optional.of(ALICE_PHONE)); // then the stale answer
    assertThat(first.result()).contains(ALICE_PHONE);
    t.callerOf("tok-phone");
    assertThat(pending).as("the stale answer was not kept: looked up again").hasSize(2);
  }
}
