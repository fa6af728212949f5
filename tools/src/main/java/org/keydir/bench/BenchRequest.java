package org.keydir.bench;

import io.vertx.core.buffer.Buffer;

/**
 * One request to send, and how to judge its answer (update the ledgers, count keys and problems).
 *
 * @param op what it is, for the per-operation figures (upload, claim, query, …)
 */
record BenchRequest(String op, String path, String token, Buffer body, Judge judge) {
  @FunctionalInterface
  interface Judge {
    /** Called once per request, also when it got no answer ({@code reply.failure() != null}). */
    void judge(BenchHttp.Reply reply, LevelStats stats);
  }
}
