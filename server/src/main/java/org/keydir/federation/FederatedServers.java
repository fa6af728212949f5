package org.keydir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import org.keydir.keys.RemoteServers;

/** The key domain's view of other homeservers, over signed federation requests. */
public final class FederatedServers implements RemoteServers {
  private final FederationClient client;
  private final long maxTimeoutMs;

  public FederatedServers(FederationClient client, long maxTimeoutMs) {
    this.client = client;
    this.maxTimeoutMs = maxTimeoutMs;
  }

  @Override
  public Future<JsonNode> queryKeys(String server, JsonNode body, long timeoutMs) {
    return client.post(server, "/_matrix/federation/v1/user/keys/query", body, bound(timeoutMs));
  }

  @Override
  public Future<JsonNode> claimKeys(String server, JsonNode body, long timeoutMs) {
    return client.post(server, "/_matrix/federation/v1/user/keys/claim", body, bound(timeoutMs));
  }

  private long bound(long timeoutMs) {
    return Math.max(1, Math.min(timeoutMs, maxTimeoutMs));
  }
}
