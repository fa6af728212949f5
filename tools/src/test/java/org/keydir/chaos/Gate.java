package org.keydir.chaos;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Lets the harness reach quiescent points: clients hold the gate shared for each operation; a
 * checkpoint holds it exclusively, so it starts only when no request is in flight and none starts.
 */
final class Gate {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

  void enter() {
    lock.readLock().lock();
  }

  void exit() {
    lock.readLock().unlock();
  }

  void closeGate() {
    lock.writeLock().lock();
  }

  void openGate() {
    lock.writeLock().unlock();
  }
}
