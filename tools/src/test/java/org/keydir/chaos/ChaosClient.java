package org.keydir.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One simulated client: a thread's connections to every instance (through the proxies). Each
 * request goes to a random instance that is up, and is journaled. A request the proxy could not
 * deliver is sent again to another instance: keydir never saw it.
 */
final class ChaosClient implements AutoCloseable {
  static final String UPLOAD = "/_matrix/client/v3/keys/upload";
  static final String CLAIM = "/_matrix/client/v3/keys/claim";
  static final String QUERY = "/_matrix/client/v3/keys/query";
  static final String RESET = "/_matrix/client/v3/keys/reset";
  static final String RESET_UNSTABLE = "/_matrix/client/unstable/org.matrix.msc4162/keys/reset";
  static final String LIST = "/_matrix/client/unstable/io.keydir/keys/one_time_keys";

  record Sent(Exchange ex, int instance, long seq) {}

  final int id;
  final Random rnd;
  private final Cluster cluster;
  private final Journal journal;
  private final HttpConnection[] connections;

  ChaosClient(
      int id, long seed, Cluster cluster, Journal journal, Watchdog watchdog, long timeoutMs) {
    this.id = id;
    this.rnd = new Random(seed);
    this.cluster = cluster;
    this.journal = journal;
    this.connections = new HttpConnection[cluster.size()];
    for (int i = 0; i < connections.length; i++) {
      connections[i] = new HttpConnection(cluster.proxyPort(i), watchdog, timeoutMs);
    }
  }

  Sent post(String op, String path, String token, String body, Consumer<ObjectNode> details) {
    return send(op, "POST", path, token, body.getBytes(StandardCharsets.UTF_8), details);
  }

  Sent get(String op, String path, String token, Consumer<ObjectNode> details) {
    return send(op, "GET", path, token, null, details);
  }

  /** To one given instance, even if it is down (for checks at quiescent points). */
  Sent postTo(
      int instance,
      String op,
      String path,
      String token,
      String body,
      Consumer<ObjectNode> details) {
    return send(op, "POST", path, token, body.getBytes(StandardCharsets.UTF_8), details, instance);
  }

  private Sent send(
      String op,
      String method,
      String path,
      String token,
      byte[] body,
      Consumer<ObjectNode> details) {
    return send(op, method, path, token, body, details, -1);
  }

  private Sent send(
      String op,
      String method,
      String path,
      String token,
      byte[] body,
      Consumer<ObjectNode> details,
      int fixedInstance) {
    for (int attempt = 0; ; attempt++) {
      int i = fixedInstance >= 0 ? fixedInstance : cluster.pick(rnd);
      Exchange ex = connections[i].send(method, path, token, body);
      long seq =
          journal.record(
              op,
              id,
              i,
              ex,
              details == null
                  ? null
                  : line -> {
                    details.accept(line);
                    if (ex.body() != null && !ex.body().isEmpty() && ex.status() != 502)
                      line.put("response", ex.body());
                  });
      if (ex.outcome().unknown()) pause(50 + rnd.nextInt(200)); // back off, as a real client does
      if (ex.outcome() != Outcome.NOT_DELIVERED || attempt >= 20) return new Sent(ex, i, seq);
      pause(50);
    }
  }

  void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    for (HttpConnection c : connections) c.close();
  }
}
