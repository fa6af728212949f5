package org.keydir.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * A token invalidation sent to every replica ({@code NOTIFY keydir_token_invalidations}): a token's
 * hash (host mode: a logout) or a device (its tokens deleted), never a token. Sent in a
 * transaction, it is delivered on commit.
 */
public record TokenNotice(String tokenHash, String userId, String deviceId) {
  public static final String CHANNEL = "keydir_token_invalidations";
  private static final String NOTIFY = "SELECT pg_notify($1, $2)";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static TokenNotice ofToken(String tokenHash) {
    return new TokenNotice(tokenHash, null, null);
  }

  public static TokenNotice ofDevice(String userId, String deviceId) {
    return new TokenNotice(null, userId, deviceId);
  }

  public Future<Void> send(SqlClient db) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (tokenHash != null) n.put("token_hash", tokenHash);
    if (userId != null) n.put("user_id", userId).put("device_id", deviceId);
    return db.preparedQuery(NOTIFY).execute(Tuple.of(CHANNEL, n.toString())).mapEmpty();
  }

  /**
   * The notice a payload carries; empty for one that is not a notice (the listener then forgets
   * all).
   */
  public static Optional<TokenNotice> parse(String payload) {
    try {
      JsonNode n = JSON.readTree(payload);
      String hash = n.hasNonNull("token_hash") ? n.get("token_hash").asText() : null;
      boolean device = n.hasNonNull("user_id") && n.hasNonNull("device_id");
      if (hash == null && !device) return Optional.empty();
      return Optional.of(
          new TokenNotice(
              hash,
              device ? n.get("user_id").asText() : null,
              device ? n.get("device_id").asText() : null));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  public boolean namesDevice() {
    return userId != null;
  }
}
