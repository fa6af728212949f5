package org.keydir.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.store.DatabaseErrors;
import org.keydir.store.DatabaseUrl;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Found by the chaos harness (PostgreSQL restarts): when the database connection dies between two
 * statements of a transaction, the next write fails with a plain {@code java.io.IOException}
 * ("Broken pipe" in the chaos run, "Connection reset by peer" here; the harness also saw {@code
 * java.net.SocketException: Connection reset} and {@code VertxException: Connection is not active
 * now}), which {@link DatabaseErrors#isUnavailable} does not recognise, so the client gets 500
 * (logged as a bug) instead of 503. Reproduced without a restart: a proxy between keydir and
 * PostgreSQL resets the connection right after forwarding a ReadyForQuery that says "in a
 * transaction". Both tests pass once {@code isUnavailable} counts such IOExceptions as unavailable
 * (tried, not committed).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionLossBugTest {
  @Test
  void an_upload_whose_database_connection_dies_inside_its_transaction_is_answered_503_not_500()
      throws Exception {
    String url = TestDatabase.fresh();
    DatabaseUrl u = DatabaseUrl.parse(url);
    try (ResetInsideTransaction proxy = new ResetInsideTransaction(u.options().getPort());
        TestKeydir kd =
            TestKeydir.start(
                TestDatabase.withDatabase(
                    "postgresql://"
                        + u.user()
                        + (u.password() == null ? "" : ":" + u.password())
                        + "@localhost:"
                        + proxy.port()
                        + "/x",
                    u.options().getDatabase()))) {
      SigningDevice d = new SigningDevice(kd.createDevice("cut", "CUTDEV"));
      ObjectNode deviceKeys = JsonNodeFactory.instance.objectNode();
      deviceKeys.set("device_keys", d.deviceKeys());
      assertThat(kd.http.post(ChaosClient.UPLOAD, d.token, deviceKeys).status()).isEqualTo(200);

      proxy.arm();
      Http.Response r = kd.http.post(ChaosClient.UPLOAD, d.token, d.oneTimeKeys("AAAA"));

      assertThat(proxy.fired()).isTrue();
      assertThat(r.status()).as(r.toString()).isEqualTo(503);
    }
  }

  @Test
  void a_broken_pipe_or_reset_database_connection_counts_as_the_database_being_unavailable() {
    assertThat(DatabaseErrors.isUnavailable(new IOException("Broken pipe"))).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new IOException("Connection reset by peer"))).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new java.net.SocketException("Connection reset")))
        .isTrue();
    assertThat(
            DatabaseErrors.isUnavailable(
                new io.vertx.core.VertxException(
                    "Connection is not active now, current status: CLOSED")))
        .isTrue();
  }

  /**
   * Forwards to PostgreSQL; once armed, resets keydir's side right after a ReadyForQuery with
   * status 'T'.
   */
  private static final class ResetInsideTransaction implements AutoCloseable {
    private static final byte[] READY_IN_TRANSACTION = {'Z', 0, 0, 0, 5, 'T'};
    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final int backendPort;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicBoolean fired = new AtomicBoolean();

    ResetInsideTransaction(int backendPort) throws IOException {
      this.backendPort = backendPort;
      Thread t = new Thread(this::accept, "pg-cutter");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    void arm() {
      armed.set(true);
    }

    boolean fired() {
      return fired.get();
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket keydir = listener.accept();
          Socket pg = new Socket(InetAddress.getLoopbackAddress(), backendPort);
          start(() -> pump(keydir, pg, false));
          start(() -> pump(pg, keydir, true));
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void start(Runnable r) {
      Thread t = new Thread(r, "pg-cutter-pump");
      t.setDaemon(true);
      t.start();
    }

    private void pump(Socket from, Socket to, boolean fromDatabase) {
      byte[] buf = new byte[64 * 1024];
      try (from;
          to) {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
          if (fromDatabase
              && n >= 6
              && Arrays.equals(buf, n - 6, n, READY_IN_TRANSACTION, 0, 6)
              && armed.compareAndSet(true, false)) {
            fired.set(true);
            to.setSoLinger(true, 0); // close with RST: keydir's next write on it fails
            return;
          }
        }
      } catch (IOException closed) {
        // one side went away
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
