package org.keydir.bench;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a workload at one concurrency level: {@code concurrency} request loops, each sending its
 * next request as soon as the previous one is answered (a closed loop: exactly that many requests
 * in flight), until the limit is reached or the workload has nothing left to send.
 */
final class LevelRunner {
  private final Context[] contexts;

  /** The loops are spread over the client's event loops. */
  LevelRunner(Vertx vertx, int eventLoops) {
    contexts = new Context[eventLoops];
    for (int i = 0; i < eventLoops; i++) contexts[i] = vertx.getOrCreateContext();
  }

  /** Blocks until every loop has finished; {@code stats} holds the outcome. */
  void run(BenchHttp http, Workload workload, int concurrency, RunLimit limit, LevelStats stats) {
    Promise<Void> done = Promise.promise();
    Loops loops = new Loops(http, workload, concurrency, limit, stats, done);
    stats.start();
    for (int i = 0; i < concurrency; i++)
      contexts[i % contexts.length].runOnContext(v -> loops.next());
    done.future().await();
    stats.end();
  }

  private static final class Loops {
    private final BenchHttp http;
    private final Workload workload;
    private final LevelStats stats;
    private final Promise<Void> done;
    private final AtomicInteger running;
    private final AtomicLong sent = new AtomicLong();
    private final long maxRequests;
    private final long deadline;

    Loops(
        BenchHttp http,
        Workload workload,
        int concurrency,
        RunLimit limit,
        LevelStats stats,
        Promise<Void> done) {
      this.http = http;
      this.workload = workload;
      this.stats = stats;
      this.done = done;
      this.running = new AtomicInteger(concurrency);
      this.maxRequests = limit.byRequests() ? limit.requests() : Long.MAX_VALUE;
      this.deadline =
          limit.byRequests() ? Long.MAX_VALUE : System.nanoTime() + limit.duration().toNanos();
    }

    void next() {
      if (System.nanoTime() >= deadline || sent.incrementAndGet() > maxRequests) {
        finish();
        return;
      }
      BenchRequest r = workload.next();
      if (r == null) {
        stats.stockRanOut();
        finish();
        return;
      }
      long t0 = System.nanoTime();
      http.post(r.path(), r.token(), r.body())
          .onComplete(
              ar -> {
                long latency = System.nanoTime() - t0;
                BenchHttp.Reply reply = ar.result();
                stats.record(r.op(), latency, reply);
                try {
                  r.judge().judge(reply, stats);
                } catch (RuntimeException e) {
                  stats.verificationError("bench_failure: " + e);
                }
                next();
              });
    }

    private void finish() {
      if (running.decrementAndGet() == 0) done.tryComplete();
    }
  }
}
