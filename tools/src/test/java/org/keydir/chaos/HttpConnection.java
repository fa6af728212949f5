package org.keydir.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection of one client to one proxy, written by hand so that "no
 * answer" means exactly that: no retries behind our back, a deadline per request, and a connection
 * the proxy closed while idle is noticed before a request is sent on it (so it is not counted as a
 * request with unknown outcome).
 */
final class HttpConnection implements AutoCloseable {
  private final int port;
  private final Watchdog watchdog;
  private final long timeoutNanos;
  private SocketChannel channel;
  private ByteBuffer in = ByteBuffer.allocate(64 * 1024);

  HttpConnection(int port, Watchdog watchdog, long timeoutMs) {
    this.port = port;
    this.watchdog = watchdog;
    this.timeoutNanos = timeoutMs * 1_000_000L;
  }

  Exchange post(String path, String token, byte[] body) {
    return send("POST", path, token, body);
  }

  Exchange get(String path, String token) {
    return send("GET", path, token, null);
  }

  Exchange send(String method, String path, String token, byte[] body) {
    long startMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Watchdog.Ticket ticket = null;
    try {
      ensureOpen();
      ticket = watchdog.arm(channel, t0 + timeoutNanos);
      write(method, path, token, body);
      return read(startMs, t0);
    } catch (IOException | RuntimeException e) {
      close();
      String why =
          ticket != null && ticket.expired
              ? "timeout"
              : e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return Exchange.noAnswer(why, startMs, t0);
    } finally {
      if (ticket != null) ticket.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (channel != null && channel.isOpen()) {
      channel.configureBlocking(false);
      int n = channel.read(ByteBuffer.allocate(1));
      channel.configureBlocking(true);
      if (n == 0) return;
      close(); // EOF, or bytes nobody asked for: start afresh
    }
    channel = SocketChannel.open();
    channel.socket().setTcpNoDelay(true);
    channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  private void write(String method, String path, String token, byte[] body) throws IOException {
    StringBuilder head =
        new StringBuilder(256)
            .append(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:")
            .append(port)
            .append("\r\n");
    if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(h.length + (body == null ? 0 : body.length)).put(h);
    if (body != null) out.put(body);
    out.flip();
    while (out.hasRemaining()) channel.write(out);
  }

  private Exchange read(long startMs, long t0) throws IOException {
    in.clear();
    int headerEnd;
    while ((headerEnd = indexOf(in, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) < 0) fill();
    String[] lines =
        new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1."))
      throw new IOException("bad status line: " + lines[0]);
    int status = Integer.parseInt(statusLine[1]);
    long contentLength = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    boolean notDelivered = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) continue;
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        default -> notDelivered |= name.equalsIgnoreCase(DropProxy.NOT_DELIVERED_HEADER);
      }
    }
    int bodyStart = headerEnd + 4;
    String body =
        chunked ? readChunked(bodyStart) : readFixed(bodyStart, Math.max(0, contentLength));
    if (closeAfter) close();
    return Exchange.answered(status, body, notDelivered, startMs, t0);
  }

  private String readFixed(int from, long length) throws IOException {
    while (in.position() - from < length) fill();
    return new String(in.array(), from, (int) length, StandardCharsets.UTF_8);
  }

  private String readChunked(int from) throws IOException {
    StringBuilder body = new StringBuilder();
    int pos = from;
    while (true) {
      int lineEnd;
      while ((lineEnd = indexOf(in, pos, "\r\n".getBytes(StandardCharsets.US_ASCII))) < 0) fill();
      String sizeText =
          new String(in.array(), pos, lineEnd - pos, StandardCharsets.US_ASCII)
              .split(";")[0].trim();
      int size = Integer.parseInt(sizeText, 16);
      pos = lineEnd + 2;
      while (in.position() < pos + size + 2) fill();
      if (size == 0) return body.toString();
      body.append(new String(in.array(), pos, size, StandardCharsets.UTF_8));
      pos += size + 2;
    }
  }

  private void fill() throws IOException {
    if (!in.hasRemaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
      in.flip();
      bigger.put(in);
      in = bigger;
    }
    if (channel.read(in) < 0)
      throw new IOException("connection closed before the answer was complete");
  }

  private static int indexOf(ByteBuffer buf, byte[] needle) {
    return indexOf(buf, 0, needle);
  }

  private static int indexOf(ByteBuffer buf, int from, byte[] needle) {
    byte[] a = buf.array();
    outer:
    for (int i = from; i <= buf.position() - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // going away anyway
    }
    channel = null;
  }
}
