package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;

/** Other homeservers, as the key domain needs them (implemented over federation). */
public interface RemoteServers {
  /** A failure whose status and message may be shown to the client in {@code failures}. */
  interface Failure {
    int status();

    String publicMessage();
  }

  /** POST /_matrix/federation/v1/user/keys/query to {@code server}; the answer's body. */
  Future<JsonNode> queryKeys(String server, JsonNode body, long timeoutMs);

  /** POST /_matrix/federation/v1/user/keys/claim to {@code server}; the answer's body. */
  Future<JsonNode> claimKeys(String server, JsonNode body, long timeoutMs);

  /** For tools that never federate (the CLI): every remote server is a failure. */
  static RemoteServers none() {
    return new RemoteServers() {
      @Override
      public Future<JsonNode> queryKeys(String server, JsonNode body, long timeoutMs) {
        return Future.failedFuture("federation is not available here");
      }

      @Override
      public Future<JsonNode> claimKeys(String server, JsonNode body, long timeoutMs) {
        return Future.failedFuture("federation is not available here");
      }
    };
  }
}
