package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.keydir.auth.MatrixIds;

/**
 * One request per remote server, all in parallel; each answer is kept only for users of the server
 * that sent it (a peer never speaks for another server's users); a server that fails or exceeds
 * the timeout becomes a failure and the rest of the answer still returns.
 */
final class FanOut {
  record Answers(Map<String, JsonNode> byUser, Map<String, RemoteFailure> failures) {}

  private FanOut() {}

  /**
   * {@code call(server)} returns the server's answer; {@code field} names the member holding
   * {@code {user: …}} in it (device_keys or one_time_keys).
   */
  static Future<Answers> ask(List<String> servers, Function<String, Future<JsonNode>> call, String field) {
    List<Future<Answers>> each = new ArrayList<>();
    for (String server : servers) {
      each.add(call.apply(server)
          .map(body -> {
            Map<String, JsonNode> users = new TreeMap<>();
            body.path(field).properties().forEach(e -> {
              if (MatrixIds.isUserId(e.getKey()) && MatrixIds.serverOf(e.getKey()).equals(server)
                  && e.getValue().isObject()) {
                users.put(e.getKey(), e.getValue());
              }
            });
            return new Answers(users, Map.of());
          })
          .otherwise(err -> new Answers(Map.of(), Map.of(server, RemoteFailure.of(err)))));
    }
    return Future.all(each).map(all -> {
      Map<String, JsonNode> users = new TreeMap<>();
      Map<String, RemoteFailure> failures = new TreeMap<>();
      for (int i = 0; i < all.size(); i++) {
        Answers a = all.resultAt(i);
        users.putAll(a.byUser());
        failures.putAll(a.failures());
      }
      return new Answers(users, failures);
    });
  }
}
