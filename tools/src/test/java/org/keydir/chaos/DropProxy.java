package org.keydir.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of one keydir instance, so the harness can drop connections mid-request.
 * With a drop probability p, every chunk forwarded in either direction may end the connection: both
 * sockets are closed before the chunk, after a prefix of it, or right after all of it (the request
 * reached keydir but its answer is lost). When the instance cannot be reached, the proxy answers a
 * 502 marked {@code X-Chaos-Proxy: not-delivered} itself: the client knows keydir never saw it.
 */
final class DropProxy implements AutoCloseable {
  static final String NOT_DELIVERED_HEADER = "X-Chaos-Proxy";
  private static final byte[] NOT_DELIVERED =
      ("HTTP/1.1 502 Bad Gateway\r\n"
              + NOT_DELIVERED_HEADER
              + ": not-delivered\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final int backendPort;
  private final ServerSocket listener;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "chaos-proxy");
            t.setDaemon(true);
            return t;
          });
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong drops = new AtomicLong();
  private volatile double dropProbability;
  private volatile java.util.function.Consumer<String> onDrop = what -> {};

  DropProxy(int backendPort) throws IOException {
    this.backendPort = backendPort;
    this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  void dropProbability(double p) {
    this.dropProbability = p;
  }

  /**
   * Told about every random drop (not cuts): which direction, how much of the chunk got through.
   */
  void onDrop(java.util.function.Consumer<String> listener) {
    this.onDrop = listener;
  }

  /** Connections dropped so far (random drops and cuts). */
  long drops() {
    return drops.get();
  }

  /** Closes every open connection at once; returns how many. */
  int cutAll() {
    int n = 0;
    for (Link l : links) {
      if (l.close()) n++;
    }
    drops.addAndGet(n);
    return n;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        threads.execute(() -> open(client));
      } catch (IOException e) {
        if (listener.isClosed()) return;
      }
    }
  }

  private void open(Socket client) {
    Socket backend = new Socket();
    try {
      client.setTcpNoDelay(true);
      backend.setTcpNoDelay(true);
      backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 1000);
    } catch (IOException down) {
      refuse(client);
      return;
    }
    Link link = new Link(client, backend);
    links.add(link);
    threads.execute(() -> pump(link, client, backend, "request"));
    pump(link, backend, client, "answer");
  }

  /** Answers 502 and drains the request, so the client reads the answer rather than a reset. */
  private void refuse(Socket client) {
    try (client) {
      client.setSoTimeout(1000);
      OutputStream out = client.getOutputStream();
      out.write(NOT_DELIVERED);
      out.flush();
      client.shutdownOutput();
      InputStream in = client.getInputStream();
      byte[] sink = new byte[4096];
      while (in.read(sink) >= 0) {
        // drain until the client closes
      }
    } catch (IOException ignored) {
      // the client went away first
    }
  }

  private void pump(Link link, Socket from, Socket to, String direction) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        double p = dropProbability;
        if (p > 0 && ThreadLocalRandom.current().nextDouble() < p) {
          int forwarded =
              switch (ThreadLocalRandom.current().nextInt(3)) {
                case 0 -> 0;
                case 1 -> ThreadLocalRandom.current().nextInt(n);
                default -> n;
              };
          out.write(buf, 0, forwarded);
          out.flush();
          if (link.close()) {
            drops.incrementAndGet();
            onDrop.accept(direction + " cut after " + forwarded + " of " + n + " bytes");
          }
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException closed) {
      // either side went away
    } finally {
      link.close();
      links.remove(link);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    links.forEach(Link::close);
    threads.shutdownNow();
  }

  /** Both sockets of one proxied connection. */
  private static final class Link {
    private final Socket a;
    private final Socket b;
    private boolean closed;

    Link(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    /** True for the call that actually closed it. */
    synchronized boolean close() {
      if (closed) return false;
      closed = true;
      quietly(a);
      quietly(b);
      return true;
    }

    private static void quietly(Socket s) {
      try { // a plain close: bytes already forwarded still arrive, then the peer sees EOF
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
