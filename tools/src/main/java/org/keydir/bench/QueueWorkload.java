package org.keydir.bench;

import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A fixed list of requests (setup, checks), sent until none is left. */
final class QueueWorkload implements Workload {
  private final Queue<BenchRequest> queue;

  QueueWorkload(Collection<BenchRequest> requests) {
    this.queue = new ConcurrentLinkedQueue<>(requests);
  }

  @Override
  public BenchRequest next() {
    return queue.poll();
  }
}
