package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Idle and slow connections cannot exhaust keydir")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionLimitsTest {
  /**
   * True once the server closed the socket (read returns -1 or the connection resets) within {@code
   * ms}.
   */
  static boolean closedWithin(Socket s, long ms) throws IOException {
    s.setSoTimeout((int) ms);
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void connections_beyond_the_cap_are_closed_at_once_and_stalled_ones_within_two_read_timeouts()
      throws Exception {
    try (TestKeydir kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of(
                "KEYDIR_LISTEN_MAX_CONNECTIONS",
                "20",
                "KEYDIR_LISTEN_REQUEST_READ_TIMEOUT_MS",
                "500"))) {
      List<Socket> idle = new ArrayList<>();
      for (int i = 0; i < 30; i++) idle.add(new Socket("127.0.0.1", kd.keydir.port()));
      Socket drip = null;
      try {
        // two event loops accept in any order: which 10 are refused is not fixed, how many is
        List<Socket> kept = new ArrayList<>();
        for (Socket s : idle) if (!closedWithin(s, 10)) kept.add(s);
        assertThat(30 - kept.size())
            .as("of 30 connections with a cap of 20, closed at once")
            .isEqualTo(10);
        long t0 = System.nanoTime();
        int closedLater = 0;
        for (Socket s : kept) if (closedWithin(s, 1_500)) closedLater++;
        assertThat(closedLater)
            .as("idle connections closed within 1.5 s (read timeout 500 ms)")
            .isEqualTo(20);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000);

        drip = new Socket("127.0.0.1", kd.keydir.port());
        OutputStream out = drip.getOutputStream();
        byte[] request =
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        boolean cut = false;
        for (int i = 0; i < 40 && !cut; i++) {
          try {
            out.write(request[Math.min(i, request.length - 1)]);
            out.flush();
          } catch (IOException e) {
            cut = true;
          }
          if (!cut) cut = closedWithin(drip, 100);
        }
        assertThat(cut).as("a connection dripping its headers is cut").isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000)
            .as("ms until the drip was cut")
            .isLessThan(2_000);
        assertThat(kd.http.get("/health", null).status()).isEqualTo(200);
      } finally {
        for (Socket s : idle) s.close();
        if (drip != null) drip.close();
      }
    }
  }
}
