package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.keydir.store.TokenStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: every replica LISTENs for deleted devices' tokens ({@link TokenStore#INVALIDATIONS},
 * sent in the deleting transaction, so delivered on commit) and drops them from its {@link
 * LocalTokens}. On every (re)connect the whole cache is dropped: notices sent while the listener
 * was away are lost.
 */
public final class TokenInvalidations {
  private static final Logger LOG = LoggerFactory.getLogger(TokenInvalidations.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenInvalidations() {}

  public static PgSubscriber listen(Vertx vertx, PgConnectOptions options, LocalTokens tokens) {
    PgSubscriber subscriber = org.keydir.store.Listener.on(vertx, options);
    subscriber
        .channel(TokenStore.INVALIDATIONS)
        .subscribeHandler(v -> tokens.invalidateAll())
        .handler(payload -> apply(payload, tokens));
    subscriber
        .connect()
        .onFailure(
            e -> {
              LOG.warn("cannot LISTEN for token invalidations: {}", e.toString());
              tokens.invalidateAll();
            });
    return subscriber;
  }

  static void apply(String payload, LocalTokens tokens) {
    try {
      JsonNode n = JSON.readTree(payload);
      if (n.hasNonNull("user_id") && n.hasNonNull("device_id")) {
        tokens.invalidateDevice(n.get("user_id").asText(), n.get("device_id").asText());
      } else {
        tokens.invalidateAll();
      }
    } catch (java.io.IOException e) {
      tokens.invalidateAll();
    }
  }
}
