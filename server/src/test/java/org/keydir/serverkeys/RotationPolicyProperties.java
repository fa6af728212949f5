package org.keydir.serverkeys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.keydir.config.RotationConfig;

/**
 * The rotation policy over arbitrary key sets, configurations and clocks (including clocks that
 * jump).
 */
class RotationPolicyProperties {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Map<KeyState, Integer> RANK =
      Map.of(KeyState.PENDING, 0, KeyState.ACTIVE, 1, KeyState.EXPIRED, 2, KeyState.REVOKED, 3);

  private static final AtomicInteger NEW_IDS = new AtomicInteger();

  static List<ServerKey> step(List<ServerKey> keys, List<Op> ops, Instant now) {
    return RotationPolicy.simulate(keys, ops, now, () -> "ed25519:new" + NEW_IDS.incrementAndGet());
  }

  @Property(tries = 2000)
  @Label("after any decision exactly one key is active, whatever the state and the clock")
  void exactly_one_active(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    List<Op> ops = RotationPolicy.decide(keys, cfg, now);
    Statistics.collect(ops.stream().map(Op::kind).distinct().sorted().toList());
    assertThat(step(keys, ops, now)).filteredOn(k -> k.is(KeyState.ACTIVE)).hasSize(1);
  }

  @Property(tries = 2000)
  @Label("deciding again right after applying a decision changes nothing")
  void idempotent(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    List<ServerKey> after = step(keys, RotationPolicy.decide(keys, cfg, now), now);
    assertThat(RotationPolicy.decide(after, cfg, now)).isEmpty();
  }

  @Property(tries = 2000)
  @Label("states only move forward, and a revoked key stays revoked until deleted")
  void forward_only(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    Map<String, ServerKey> after = byId(step(keys, RotationPolicy.decide(keys, cfg, now), now));
    for (ServerKey before : keys) {
      ServerKey a = after.get(before.keyId());
      if (a == null) continue;
      assertThat(RANK.get(a.state()))
          .as(before + " → " + a)
          .isGreaterThanOrEqualTo(RANK.get(before.state()));
      if (before.is(KeyState.REVOKED)) assertThat(a.state()).isEqualTo(KeyState.REVOKED);
    }
  }

  @Property(tries = 2000)
  @Label(
      "a key starts signing only after it was published for pending_duration, unless no key was active")
  void activation_needs_publication(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    boolean hadActive = keys.stream().anyMatch(k -> k.is(KeyState.ACTIVE));
    Map<String, ServerKey> after = byId(step(keys, RotationPolicy.decide(keys, cfg, now), now));
    for (ServerKey before : keys) {
      ServerKey a = after.get(before.keyId());
      if (before.is(KeyState.PENDING) && a != null && a.is(KeyState.ACTIVE) && hadActive) {
        assertThat(before.createdAt().plus(cfg.pendingDuration())).isBeforeOrEqualTo(now);
      }
    }
    if (hadActive) {
      assertThat(after.values())
          .filteredOn(
              k ->
                  k.is(KeyState.ACTIVE)
                      && k.createdAt().equals(now)
                      && keys.stream().noneMatch(b -> b.keyId().equals(k.keyId())))
          .isEmpty();
    }
  }

  @Property(tries = 2000)
  @Label(
      "expired and revoked keys are kept for expired_retention, then deleted; revoked keys are never published")
  void retention_and_publication(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    List<ServerKey> after = step(keys, RotationPolicy.decide(keys, cfg, now), now);
    Set<String> kept = after.stream().map(ServerKey::keyId).collect(Collectors.toSet());
    for (ServerKey k : keys) {
      Instant since =
          k.is(KeyState.EXPIRED) ? k.expiredAt() : k.is(KeyState.REVOKED) ? k.revokedAt() : null;
      if (since == null) continue;
      assertThat(kept.contains(k.keyId()))
          .as(k.toString())
          .isEqualTo(now.isBefore(since.plus(cfg.expiredRetention())));
    }
    PublishedKeys published = PublishedKeys.of(after, cfg, now);
    assertThat(published.verifyKeys()).noneMatch(k -> k.is(KeyState.REVOKED));
    assertThat(published.verifyKeys())
        .filteredOn(k -> k.is(KeyState.EXPIRED))
        .allMatch(k -> now.isBefore(k.expiredAt().plus(PublishedKeys.grace(cfg))));
    assertThat(published.oldVerifyKeys()).allMatch(k -> k.is(KeyState.EXPIRED));
    assertThat(published.validUntil()).isBetween(now, now.plus(Duration.ofDays(7)));
  }

  @Property(tries = 500)
  @Label(
      "over any run of the rotator, a peer's cached key response holds every key that signs before it expires")
  void peers_never_see_an_unknown_signing_key(
      @ForAll("fastConfigs") RotationConfig cfg, @ForAll("steps") List<Duration> steps) {
    List<ServerKey> keys = new ArrayList<>();
    Instant now = T0;
    List<PublishedKeys> responses = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    List<String> signers = new ArrayList<>();
    int rotations = 0;
    for (Duration d : steps) {
      now = now.plus(d);
      List<Op> ops = RotationPolicy.decide(keys, cfg, now);
      rotations += (int) ops.stream().filter(o -> o.kind() == Op.Kind.ACTIVATE).count();
      keys = step(keys, ops, now);
      responses.add(PublishedKeys.of(keys, cfg, now));
      times.add(now);
      signers.add(
          keys.stream().filter(k -> k.is(KeyState.ACTIVE)).findFirst().orElseThrow().keyId());
    }
    Statistics.label("rotations").collect(Math.min(rotations, 3));
    for (int i = 0; i < responses.size(); i++) {
      Set<String> cached =
          responses.get(i).verifyKeys().stream().map(ServerKey::keyId).collect(Collectors.toSet());
      for (int j = i;
          j < responses.size() && times.get(j).isBefore(responses.get(i).validUntil());
          j++) {
        assertThat(cached)
            .as(
                "response at %s (valid until %s) vs signer at %s",
                times.get(i), responses.get(i).validUntil(), times.get(j))
            .contains(signers.get(j));
      }
    }
  }

  @Property(tries = 300)
  @Label(
      "with several replicas whose key rings lag by up to refresh_interval, every signature verifies with a peer's cached keys")
  void replicas_with_stale_key_rings(
      @ForAll("fastConfigs") RotationConfig cfg, @ForAll("fractions") List<Integer> steps) {
    List<ServerKey> keys = new ArrayList<>();
    Instant now = T0;
    List<Instant> times = new ArrayList<>();
    List<List<ServerKey>> states = new ArrayList<>();
    int rotations = 0;
    for (int permille : steps) {
      now =
          now.plus(
              cfg.refreshInterval()
                  .multipliedBy(permille)
                  .dividedBy(1000)); // the rotator runs every refresh
      List<Op> ops = RotationPolicy.decide(keys, cfg, now);
      rotations += (int) ops.stream().filter(o -> o.kind() == Op.Kind.ACTIVATE).count();
      keys = step(keys, ops, now);
      times.add(now);
      states.add(keys);
    }
    Statistics.label("rotations").collect(Math.min(rotations, 3));
    Duration lag = cfg.refreshInterval();
    for (int i = 0; i < times.size(); i++) {
      for (int k = i;
          k >= 0 && !times.get(k).isBefore(times.get(i).minus(lag));
          k--) { // snapshot serving the peer
        PublishedKeys response = PublishedKeys.of(states.get(k), cfg, times.get(i));
        Set<String> cached =
            response.verifyKeys().stream().map(ServerKey::keyId).collect(Collectors.toSet());
        for (int j = i; j < times.size() && times.get(j).isBefore(response.validUntil()); j++) {
          for (int m = j;
              m >= 0 && !times.get(m).isBefore(times.get(j).minus(lag));
              m--) { // snapshot of the signer
            String signer =
                states.get(m).stream()
                    .filter(x -> x.is(KeyState.ACTIVE))
                    .findFirst()
                    .orElseThrow()
                    .keyId();
            assertThat(cached)
                .as(
                    "peer fetched at %s from a ring of %s; signed at %s by a ring of %s",
                    times.get(i), times.get(k), times.get(j), times.get(m))
                .contains(signer);
          }
        }
      }
    }
  }

  /** Short periods relative to the refresh interval, so a run sees many rotations. */
  @Provide
  Arbitrary<RotationConfig> fastConfigs() {
    return Combinators.combine(
            Arbitraries.integers().between(2, 4),
            Arbitraries.integers().between(2, 4),
            Arbitraries.integers().between(1, 5))
        .as(
            (pendingFactor, periodFactor, retentionFactor) -> {
              Duration refresh = Duration.ofMinutes(1);
              Duration pending = refresh.multipliedBy(pendingFactor);
              return new RotationConfig(
                  pending,
                  pending.multipliedBy(periodFactor),
                  refresh.multipliedBy(retentionFactor),
                  refresh);
            });
  }

  @Provide
  Arbitrary<List<Integer>> fractions() {
    return Arbitraries.integers().between(50, 1000).list().ofMinSize(20).ofMaxSize(150);
  }

  @Property(tries = 1000)
  @Label("revoking a key never leaves it active or published, and leaves exactly one active key")
  void revoke(
      @ForAll("states") List<ServerKey> keys,
      @ForAll("configs") RotationConfig cfg,
      @ForAll("instants") Instant now) {
    List<ServerKey> settled = step(keys, RotationPolicy.decide(keys, cfg, now), now);
    ServerKey victim = settled.stream().filter(k -> !k.is(KeyState.REVOKED)).findAny().orElse(null);
    if (victim == null) return;
    List<ServerKey> after = step(settled, RotationPolicy.revoke(settled, victim.keyId(), now), now);
    assertThat(byId(after).get(victim.keyId()).state()).isEqualTo(KeyState.REVOKED);
    assertThat(after).filteredOn(k -> k.is(KeyState.ACTIVE)).hasSize(1);
    List<ServerKey> later =
        step(
            after,
            RotationPolicy.decide(after, cfg, now.plus(Duration.ofDays(1))),
            now.plus(Duration.ofDays(1)));
    assertThat(PublishedKeys.of(later, cfg, now).verifyKeys())
        .noneMatch(k -> k.keyId().equals(victim.keyId()));
    assertThat(PublishedKeys.of(later, cfg, now).oldVerifyKeys())
        .noneMatch(k -> k.keyId().equals(victim.keyId()));
  }

  // ---- generators --------------------------------------------------------------------------

  static Map<String, ServerKey> byId(List<ServerKey> keys) {
    return keys.stream()
        .collect(Collectors.toMap(ServerKey::keyId, Function.identity(), (a, b) -> a));
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(-40L * 86400, 80L * 86400).map(T0::plusSeconds);
  }

  @Provide
  Arbitrary<RotationConfig> configs() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 10),
            Arbitraries.integers().between(2, 48),
            Arbitraries.integers().between(2, 60),
            Arbitraries.integers().between(1, 20))
        .as(
            (refreshMin, pendingFactor, periodFactor, retentionFactor) -> {
              Duration refresh = Duration.ofMinutes(refreshMin);
              Duration pending = refresh.multipliedBy(pendingFactor);
              return new RotationConfig(
                  pending,
                  pending.multipliedBy(periodFactor),
                  refresh.multipliedBy(retentionFactor * 30L),
                  refresh);
            });
  }

  @Provide
  Arbitrary<List<Duration>> steps() {
    return Arbitraries.longs()
        .between(1, 3L * 86400)
        .map(Duration::ofSeconds)
        .list()
        .ofMinSize(1)
        .ofMaxSize(120);
  }

  @Provide
  Arbitrary<List<ServerKey>> states() {
    Arbitrary<Instant> t = instants();
    Arbitrary<ServerKey> key =
        Combinators.combine(
                Arbitraries.integers().between(1, 1000),
                Arbitraries.of(KeyState.class),
                t,
                t,
                Arbitraries.of(true, false))
            .as(
                (id, state, created, other, early) ->
                    switch (state) {
                      case PENDING -> ServerKey.pending("ed25519:k" + id, created, early);
                      case ACTIVE ->
                          ServerKey.pending("ed25519:k" + id, created, early).activate(other);
                      case EXPIRED ->
                          ServerKey.pending("ed25519:k" + id, created, early)
                              .activate(created)
                              .expire(other);
                      case REVOKED ->
                          ServerKey.pending("ed25519:k" + id, created, early).revoke(other);
                    });
    return key.list().ofMaxSize(8).uniqueElements(ServerKey::keyId);
  }
}
