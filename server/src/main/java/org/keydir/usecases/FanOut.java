package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.keydir.auth.MatrixIds;
import org.keydir.keys.RemoteFailure;

/**
 * One request per remote server, at most {@value #PARALLEL} at a time, all within one deadline (the
 * request's {@code timeout}); each answer is kept only for users of the server that sent it (a peer
 * never speaks for another server's users). A server that fails or misses the deadline becomes a
 * failure and the rest of the answer still returns. At most {@code maxServers} servers are asked
 * per request (the others are failures, not asked): one client request can never make keydir open
 * thousands of connections.
 */
final class FanOut {
  static final int PARALLEL = 16;

  /**
   * {@code extra}: for each extra field asked for (e.g. master_keys), user → value, again only the
   * answering server's users.
   */
  record Answers(
      Map<String, JsonNode> byUser,
      Map<String, RemoteFailure> failures,
      Map<String, Map<String, JsonNode>> extra) {}

  /** Asks {@code server} within {@code remainingMs}. */
  interface Call {
    Future<JsonNode> ask(String server, long remainingMs);
  }

  private FanOut() {}

  /**
   * {@code field} names the member holding {@code {user: …}} in an answer (device_keys or
   * one_time_keys).
   */
  static Future<Answers> ask(
      List<String> servers, Call call, String field, long timeoutMs, int maxServers) {
    return ask(servers, call, field, List.of(), timeoutMs, maxServers);
  }

  static Future<Answers> ask(
      List<String> servers,
      Call call,
      String field,
      List<String> extraFields,
      long timeoutMs,
      int maxServers) {
    Map<String, JsonNode> users = new TreeMap<>();
    Map<String, Map<String, JsonNode>> extra = new TreeMap<>();
    extraFields.forEach(f -> extra.put(f, new TreeMap<>()));
    Map<String, RemoteFailure> failures = new TreeMap<>();
    List<String> asked = servers.size() > maxServers ? servers.subList(0, maxServers) : servers;
    for (String skipped : servers.subList(asked.size(), servers.size())) {
      failures.put(
          skipped,
          new RemoteFailure(503, "not asked: more than " + maxServers + " servers in one request"));
    }
    if (asked.isEmpty()) return Future.succeededFuture(new Answers(users, failures, extra));
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Promise<Answers> all = Promise.promise();
    Runnable[] startNext = new Runnable[1];
    startNext[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= asked.size()) return;
          String server = asked.get(i);
          long remaining = (deadline - System.nanoTime()) / 1_000_000;
          Future<JsonNode> answer =
              remaining <= 0
                  ? Future.failedFuture(new java.util.concurrent.TimeoutException())
                  : call.ask(server, remaining);
          answer.onComplete(
              ar -> {
                synchronized (users) {
                  if (ar.succeeded()) {
                    usersOf(server, ar.result(), field).forEach(users::put);
                    extraFields.forEach(f -> extra.get(f).putAll(usersOf(server, ar.result(), f)));
                  } else {
                    failures.put(server, RemoteFailure.of(ar.cause()));
                  }
                }
                if (done.incrementAndGet() == asked.size()) {
                  synchronized (users) {
                    all.complete(new Answers(users, failures, extra));
                  }
                } else {
                  startNext[0].run();
                }
              });
        };
    for (int k = 0; k < Math.min(PARALLEL, asked.size()); k++) startNext[0].run();
    return all.future();
  }

  private static Map<String, JsonNode> usersOf(String server, JsonNode body, String field) {
    Map<String, JsonNode> users = new TreeMap<>();
    body.path(field)
        .properties()
        .forEach(
            e -> {
              if (MatrixIds.isUserId(e.getKey())
                  && MatrixIds.serverOf(e.getKey()).equals(server)
                  && e.getValue().isObject()) {
                users.put(e.getKey(), e.getValue());
              }
            });
    return users;
  }
}
