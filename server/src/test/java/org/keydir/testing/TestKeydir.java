package org.keydir.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.keydir.app.Keydir;
import org.keydir.config.ConfigLoader;
import org.keydir.config.KeydirConfig;

/** A whole keydir on a real socket and a real database, for tests. */
public final class TestKeydir implements AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  public static final String SERVER_NAME = "test.keydir";

  /**
   * Accelerated rotation: refresh 250 ms, published 750 ms before signing, 2 s active, 2 s
   * retention (the policy's guarantees assume a replica refreshes within its interval: on a loaded
   * 2-core CI machine, 100 ms intervals were too tight for that). Such a server's key responses are
   * valid for under a second: its keydir peers need {@link #REFETCH_FAST_ROTATING_PEERS}.
   */
  public static final Map<String, String> FAST_ROTATION =
      Map.of(
          "KEYDIR_ROTATION_REFRESH_INTERVAL",
          "250ms",
          "KEYDIR_ROTATION_PENDING_DURATION",
          "750ms",
          "KEYDIR_ROTATION_ROTATION_PERIOD",
          "2000ms",
          "KEYDIR_ROTATION_EXPIRED_RETENTION",
          "2000ms");

  /**
   * For a keydir whose peers rotate fast: it may ask again for an expired key after 100 ms (the
   * default, a minute, assumes responses valid for an hour or more, as real servers publish them).
   */
  public static final Map<String, String> REFETCH_FAST_ROTATING_PEERS =
      Map.of("KEYDIR_FEDERATION_KEY_REFETCH_INTERVAL_MS", "100");

  /** Replicas on one database share it, as in production. */
  public static final String KEY_ENCRYPTION_KEY = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

  public final Keydir keydir;
  public final Http http;
  public final String serverName;

  private TestKeydir(Keydir keydir, String serverName) {
    this.keydir = keydir;
    this.http = new Http(keydir.baseUrl());
    this.serverName = serverName;
  }

  /** keydir on the given database URL, with test defaults overridable by extra env entries. */
  public static TestKeydir start(String databaseUrl, Map<String, String> extraEnv) {
    KeydirConfig cfg = config(databaseUrl, extraEnv);
    return new TestKeydir(Keydir.start(cfg), cfg.serverName());
  }

  /** The same on virtual time: every decision keydir takes by the clock reads {@code clock}. */
  public static TestKeydir start(
      String databaseUrl, Map<String, String> extraEnv, java.time.Clock clock) {
    KeydirConfig cfg = config(databaseUrl, extraEnv);
    return new TestKeydir(Keydir.start(cfg, clock), cfg.serverName());
  }

  public static TestKeydir start(String databaseUrl) {
    return start(databaseUrl, Map.of());
  }

  public static KeydirConfig config(String databaseUrl, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("KEYDIR_SERVER_NAME", SERVER_NAME);
    env.put("KEYDIR_LISTEN_PORT", "0");
    env.put("KEYDIR_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("KEYDIR_DATA_DIR", TestDatabase.tempDir("keydir-test-data").toString());
    env.put("KEYDIR_SHUTDOWN_GRACE_MS", "5000");
    env.put("KEYDIR_RATE_LIMIT_ENABLED", "false");
    env.put(
        "KEYDIR_FEDERATION_ALLOW_PRIVATE_ADDRESSES",
        "true"); // peers run on loopback; SsrfTest turns it off
    env.put(
        "KEYDIR_FEDERATION_BACKOFF_INITIAL_MS",
        "100"); // load tests hammer one device; RateLimitTest turns it on
    if (databaseUrl != null) {
      env.put("KEYDIR_DATABASE_URL", databaseUrl);
      env.put("KEYDIR_KEY_ENCRYPTION_KEY", KEY_ENCRYPTION_KEY);
    }
    env.putAll(extraEnv);
    return ConfigLoader.load((Path) null, env);
  }

  public record Device(String userId, String deviceId, String token) {}

  public Device createDevice(String localpart, String deviceId) {
    String body =
        deviceId == null
            ? "{\"user_id\":\"@" + localpart + ":" + serverName + "\"}"
            : "{\"user_id\":\"@"
                + localpart
                + ":"
                + serverName
                + "\",\"device_id\":\""
                + deviceId
                + "\"}";
    Http.Response r = http.post("/_keydir/admin/v1/devices", ADMIN_TOKEN, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode j = r.json();
    return new Device(
        j.get("user_id").asText(), j.get("device_id").asText(), j.get("access_token").asText());
  }

  @Override
  public void close() {
    keydir.close();
  }
}
