package org.keydir.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.keydir.app.Services;
import org.keydir.auth.Caller;
import org.keydir.keys.ClaimRequest;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.DeviceAlgorithm;
import org.keydir.keys.KeyId;
import org.keydir.keys.KeydirException;
import org.keydir.keys.ResetRequest;
import org.keydir.keys.UploadRequest;
import org.keydir.store.FallbackKeyStore;
import org.keydir.store.OneTimeKeyStore;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Random sequences of upload / claim (single and bulk) / reset / fallback upload / device delete
 * and re-create, for two users with two devices each, against the real Postgres-backed services and
 * an in-memory model of the rules. Every result and, after every step, every device's stored state
 * must agree with the model. A failure shrinks to a short, readable list of steps.
 */
class StoreModelTest {
  private static final String ALG = "signed_curve25519";
  private static final AtomicInteger CHAINS = new AtomicInteger();
  private static Vertx vertx;
  private static Services services;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    services =
        org.keydir.testing.TestServices.on(
            vertx,
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_LIMITS_MAX_OTKS_PER_ALGORITHM",
                "12",
                "KEYDIR_LIMITS_MAX_KEYS_PER_UPLOAD",
                "6"));
  }

  @AfterContainer
  static void stop() {
    vertx.close();
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** Awaits a call expected to fail with a KeydirException of the given kind. */
  static void awaitRefused(Future<?> f, KeydirException.Kind kind) {
    try {
      f.await(30, TimeUnit.SECONDS);
      throw new AssertionError("expected " + kind + " but it succeeded");
    } catch (KeydirException e) {
      assertThat(e.kind()).isEqualTo(kind);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** The world of one chain: fresh users, so chains never see each other's rows. */
  static final class World {
    final List<DeviceModel> devices = new ArrayList<>();

    static World create() {
      World w = new World();
      int chain = CHAINS.incrementAndGet();
      for (String user : new String[] {"a", "b"}) {
        for (String dev : new String[] {"D1", "D2"}) {
          String userId = "@" + user + chain + ":" + TestKeydir.SERVER_NAME;
          DeviceModel m = new DeviceModel(null);
          w.devices.add(m);
          w.register(m, userId, dev);
        }
      }
      return w;
    }

    void register(DeviceModel m, String userId, String deviceId) {
      var created =
          await(
              services
                  .deviceAdmin()
                  .createDevice("test", userId, Optional.of(deviceId), Optional.empty()));
      m.signer = new SigningDevice(userId, deviceId, created.accessToken());
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("device_keys", m.signer.deviceKeys());
      await(services.uploads().upload(caller(m), UploadRequest.fromJson(body)));
      m.exists = true;
    }

    @Override
    public String toString() {
      return devices.stream()
          .map(
              d ->
                  d.signer.userId
                      + "/"
                      + d.signer.deviceId
                      + " "
                      + d.availableIds()
                      + (d.fallback == null ? "" : " fb=" + d.fallback))
          .toList()
          .toString();
    }
  }

  static Caller caller(DeviceModel m) {
    return new Caller(m.signer.userId, m.signer.deviceId);
  }

  static String label(DeviceModel m) {
    return m.signer.userId.substring(1, m.signer.userId.indexOf(':')).replaceAll("[0-9]", "")
        + "/"
        + m.signer.deviceId;
  }

  // ---- actions ------------------------------------------------------------------------------

  /**
   * Upload n new keys, plus optionally a retry of a stored key, a claimed id, or a conflicting key.
   */
  static Transformer<World> upload(int device, int n, int extra) {
    return Transformer.mutate(
        "upload "
            + n
            + " to #"
            + device
            + (extra == 1
                ? " +retry"
                : extra == 2 ? " +claimed id" : extra == 3 ? " +conflict" : ""),
        w -> {
          DeviceModel m = w.devices.get(device);
          ObjectNode body = JsonNodeFactory.instance.objectNode();
          ObjectNode otks = body.putObject("one_time_keys");
          List<DeviceModel.Key> fresh = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            String id = ALG + ":K" + (m.nextKey++);
            ObjectNode key = m.signer.signedKey(false);
            otks.set(id, key);
            fresh.add(new DeviceModel.Key(id, key.toString()));
          }
          boolean conflict = false;
          if (extra == 1 && !m.available.isEmpty()) {
            DeviceModel.Key k = m.available.get(0);
            otks.set(k.id(), parse(k.json()));
          } else if (extra == 2 && !m.claimed.isEmpty()) {
            otks.set(m.claimed.iterator().next(), m.signer.signedKey(false));
          } else if (extra == 3 && !m.available.isEmpty()) {
            otks.set(m.available.get(0).id(), m.signer.signedKey(false));
            conflict = true;
          }
          var result = services.uploads().upload(caller(m), UploadRequest.fromJson(body));
          if (!m.exists) {
            awaitRefused(result, KeydirException.Kind.UNKNOWN_TOKEN);
          } else if (conflict) {
            awaitRefused(result, KeydirException.Kind.INVALID_PARAM);
          } else if (m.available.size() + fresh.size() > 12) {
            awaitRefused(result, KeydirException.Kind.KEY_LIMIT);
          } else {
            Map<String, Integer> counts = await(result);
            m.available.addAll(fresh);
            assertThat(counts.getOrDefault(ALG, 0)).isEqualTo(m.available.size());
          }
        });
  }

  static Transformer<World> uploadFallback(int device, boolean same) {
    return Transformer.mutate(
        (same ? "re-upload fallback to #" : "new fallback to #") + device,
        w -> {
          DeviceModel m = w.devices.get(device);
          DeviceModel.Fallback next =
              same && m.fallback != null
                  ? m.fallback
                  : new DeviceModel.Fallback(
                      ALG + ":F" + (m.nextFallback++), m.signer.signedKey(true).toString(), false);
          ObjectNode body = JsonNodeFactory.instance.objectNode();
          body.putObject("fallback_keys").set(next.id(), parse(next.json()));
          var result = services.uploads().upload(caller(m), UploadRequest.fromJson(body));
          if (!m.exists) {
            awaitRefused(result, KeydirException.Kind.UNKNOWN_TOKEN);
          } else {
            await(result);
            m.fallback = next; // identical → keeps its used flag; new → unused
          }
        });
  }

  static Transformer<World> claim(List<Integer> targets) {
    return Transformer.mutate(
        "claim " + targets,
        w -> {
          List<DeviceAlgorithm> wanted = new ArrayList<>();
          targets.forEach(
              t ->
                  wanted.add(
                      new DeviceAlgorithm(
                          w.devices.get(t).signer.userId, w.devices.get(t).signer.deviceId, ALG)));
          List<ClaimedKey> got =
              await(services.claims().claim(new ClaimRequest(wanted, 1000))).keys();
          int served = 0;
          for (int t : targets) {
            DeviceModel m = w.devices.get(t);
            Object expected = m.claim();
            Optional<ClaimedKey> actual =
                got.stream()
                    .filter(
                        k ->
                            k.userId().equals(m.signer.userId)
                                && k.deviceId().equals(m.signer.deviceId))
                    .findFirst();
            if (expected == null) {
              assertThat(actual).as("claim of %s", label(m)).isEmpty();
              continue;
            }
            served++;
            assertThat(actual).as("claim of %s", label(m)).isPresent();
            if (expected instanceof DeviceModel.Key k) {
              assertThat(actual.get().fallback()).isFalse();
              assertThat(actual.get().keyId().toString()).isEqualTo(k.id());
              assertThat(parse(actual.get().json())).isEqualTo(parse(k.json()));
            } else {
              DeviceModel.Fallback f = (DeviceModel.Fallback) expected;
              assertThat(actual.get().fallback()).isTrue();
              assertThat(actual.get().keyId().toString()).isEqualTo(f.id());
              assertThat(parse(actual.get().json())).isEqualTo(parse(f.json()));
            }
          }
          assertThat(got).hasSize(served);
        });
  }

  static Transformer<World> reset(int device, boolean all, int pickMask) {
    return Transformer.mutate(
        "reset #" + device + (all ? " all" : " ids mask " + pickMask),
        w -> {
          DeviceModel m = w.devices.get(device);
          ResetRequest req;
          if (all) {
            req = ResetRequest.all();
            m.available.clear();
          } else {
            List<KeyId> ids = new ArrayList<>();
            List<DeviceModel.Key> named = new ArrayList<>();
            for (int i = 0; i < m.available.size(); i++) {
              if ((pickMask >> (i % 16) & 1) == 1) {
                named.add(m.available.get(i));
                ids.add(KeyId.parse(m.available.get(i).id()));
              }
            }
            ids.add(KeyId.parse(ALG + ":UNKNOWN"));
            m.claimed.stream()
                .findFirst()
                .ifPresent(c -> ids.add(KeyId.parse(c))); // claimed: nothing to delete
            req = new ResetRequest(ids);
            m.available.removeAll(named);
          }
          var result = services.resets().reset(caller(m), req);
          if (!m.exists) {
            awaitRefused(result, KeydirException.Kind.UNKNOWN_TOKEN);
          } else {
            assertThat(await(result).getOrDefault(ALG, 0)).isEqualTo(m.available.size());
          }
        });
  }

  static Transformer<World> deleteDevice(int device) {
    return Transformer.mutate(
        "delete device #" + device,
        w -> {
          DeviceModel m = w.devices.get(device);
          var result = services.deviceAdmin().delete("test", m.signer.userId, m.signer.deviceId);
          if (!m.exists) {
            awaitRefused(result, KeydirException.Kind.NOT_FOUND);
            return;
          }
          var report = await(result);
          assertThat(report.oneTimeKeysDeleted()).isEqualTo(m.available.size() + m.claimed.size());
          assertThat(report.fallbackKeysDeleted()).hasSize(m.fallback == null ? 0 : 1);
          assertThat(report.deviceKeysDeleted()).isTrue();
          m.forget();
        });
  }

  static Transformer<World> recreateDevice(int device) {
    return Transformer.mutate(
        "re-create device #" + device,
        w -> {
          DeviceModel m = w.devices.get(device);
          if (m.exists) return;
          w.register(m, m.signer.userId, m.signer.deviceId);
        });
  }

  /**
   * After every step: each device's stored keys, in claim order, and fallback state equal the
   * model.
   */
  static void storeMatchesModel(World w) {
    for (DeviceModel m : w.devices) {
      List<String> stored =
          await(
                  new OneTimeKeyStore()
                      .list(
                          services.database().pool(),
                          m.signer.userId,
                          m.signer.deviceId,
                          0,
                          -1,
                          1000))
              .stream()
              .map(l -> l.keyId().toString())
              .toList();
      assertThat(stored).as("available keys of %s", label(m)).isEqualTo(m.availableIds());
      var fallbacks =
          await(
              new FallbackKeyStore()
                  .get(services.database().pool(), m.signer.userId, m.signer.deviceId));
      if (m.fallback == null) {
        assertThat(fallbacks).as("fallback of %s", label(m)).isEmpty();
      } else {
        var f = fallbacks.get(ALG);
        assertThat(f).as("fallback of %s", label(m)).isNotNull();
        assertThat(f.keyId().toString()).isEqualTo(m.fallback.id());
        assertThat(f.used()).as("fallback used flag of %s", label(m)).isEqualTo(m.fallback.used());
      }
    }
  }

  static JsonNode parse(String json) {
    return org.keydir.crypto.CanonicalJson.parse(json);
  }

  // ---- the property -------------------------------------------------------------------------

  @Property(tries = 60)
  void the_store_behaves_like_the_model_under_any_sequence(
      @ForAll("chains") ActionChain<World> chain) {
    chain.withInvariant("store matches model", StoreModelTest::storeMatchesModel).run();
  }

  @Provide
  Arbitrary<ActionChain<World>> chains() {
    Arbitrary<Integer> device = Arbitraries.integers().between(0, 3);
    return ActionChain.<World>startWith(World::create)
        .withAction(
            5,
            act(
                Combinators.combine(
                        device,
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(0, 3))
                    .as(StoreModelTest::upload)))
        .withAction(
            2,
            act(
                Combinators.combine(device, Arbitraries.of(true, false))
                    .as(StoreModelTest::uploadFallback)))
        .withAction(
            5,
            act(
                device
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(4)
                    .uniqueElements()
                    .map(StoreModelTest::claim)))
        .withAction(
            2,
            act(
                Combinators.combine(
                        device,
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 0xFFFF))
                    .as(StoreModelTest::reset)))
        .withAction(1, act(device.map(StoreModelTest::deleteDevice)))
        .withAction(1, act(device.map(StoreModelTest::recreateDevice)))
        .withMaxTransformations(30);
  }

  private static Action.Independent<World> act(Arbitrary<Transformer<World>> transformers) {
    return () -> transformers;
  }
}
