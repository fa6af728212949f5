package org.keydir.bench;

/** Makes the requests of a phase; called concurrently from the client's event loops. */
interface Workload {
  /**
   * The next request to send, or null when none can be made (the devices ran out of keys, the queue
   * is empty).
   */
  BenchRequest next();
}
