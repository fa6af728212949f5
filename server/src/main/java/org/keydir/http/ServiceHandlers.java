package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.store.Database;

/** {@code /_matrix/client/versions}, {@code /health}, {@code /ready}. */
final class ServiceHandlers {
  /** Spec versions whose key endpoints keydir serves as written. */
  static final String[] VERSIONS = {
    "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11",
    "v1.12", "v1.13"
  };

  private final Database database;

  ServiceHandlers(Database database) {
    this.database = database;
  }

  Future<JsonNode> versions(RoutingContext ctx) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    var versions = body.putArray("versions");
    for (String v : VERSIONS) versions.add(v);
    body.putObject("unstable_features").put("org.matrix.msc4162", true);
    return Future.succeededFuture(body);
  }

  Future<JsonNode> health(RoutingContext ctx) {
    return Future.succeededFuture(JsonNodeFactory.instance.objectNode().put("status", "ok"));
  }

  /** Ready once the database answers; migrations always ran before the server listens. */
  Future<JsonNode> ready(RoutingContext ctx) {
    return database.ping().map(v -> JsonNodeFactory.instance.objectNode().put("status", "ready"));
  }
}
