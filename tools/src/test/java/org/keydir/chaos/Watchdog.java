package org.keydir.chaos;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes the connection of any request still unanswered after its deadline (channels ignore
 * SO_TIMEOUT).
 */
final class Watchdog implements AutoCloseable {
  private final Set<Ticket> armed = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean running = true;

  Watchdog() {
    thread = new Thread(this::loop, "chaos-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  final class Ticket implements AutoCloseable {
    private final SocketChannel channel;
    private final long deadlineNanos;
    volatile boolean expired;

    private Ticket(SocketChannel channel, long deadlineNanos) {
      this.channel = channel;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void close() {
      armed.remove(this);
    }
  }

  Ticket arm(SocketChannel channel, long deadlineNanos) {
    Ticket t = new Ticket(channel, deadlineNanos);
    armed.add(t);
    return t;
  }

  private void loop() {
    while (running) {
      long now = System.nanoTime();
      for (Ticket t : armed) {
        if (now - t.deadlineNanos > 0) {
          t.expired = true;
          armed.remove(t);
          try {
            t.channel.close();
          } catch (IOException ignored) {
            // closing is all we want
          }
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
