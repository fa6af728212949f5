package org.keydir.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Malformed HTTP gets a Matrix error, never a 500, and no secret reaches the log")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpEdgesTest {
  private TestKeydir kd;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  /** Sends raw bytes, returns the whole answer (the server closes, or 5 s pass). */
  String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", kd.keydir.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n);
          String sofar = got.toString(StandardCharsets.ISO_8859_1);
          int head = sofar.indexOf("\r\n\r\n");
          if (head > 0 && sofar.contains("}")) break;
        }
      } catch (java.net.SocketTimeoutException timedOut) {
        // return what arrived
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static void assertMatrix4xx(String answer) {
    assertThat(answer)
        .as(answer)
        .matches("(?s)HTTP/1\\.\\d 4\\d\\d .*")
        .contains("\"errcode\":\"M_");
  }

  @Test
  void a_bad_percent_escape_in_the_query_is_a_400_and_its_token_is_never_logged() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    try {
      for (String path :
          new String[] {
            "/_matrix/client/versions?x=%zz&access_token=SECRET_QUERY_TOKEN_1",
            "/_matrix/client/v3/account/whoami?access_token=SECRET_QUERY_TOKEN_2%",
            "/health?a=%e9%zz",
            "/_keydir/admin/v1/audit?limit=%%&access_token=SECRET_QUERY_TOKEN_3"
          }) {
        assertMatrix4xx(raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      }
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString())
        .doesNotContain("SECRET_QUERY_TOKEN")
        .doesNotContain("unhandled");
  }

  @Test
  void a_request_without_host_with_a_bad_chunk_or_an_unknown_http_version_is_a_matrix_4xx()
      throws Exception {
    assertMatrix4xx(raw("GET /_matrix/client/versions HTTP/1.1\r\nConnection: close\r\n\r\n"));
    assertMatrix4xx(raw("GET /health HTTP/1.2\r\nHost: x\r\n\r\n"));
    assertMatrix4xx(
        raw("GET /_matrix/client/v3/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }

  /**
   * Vert.x fails the connection on a framing error inside a body before any handler can answer
   * (Http1xServerConnection.handleError), so keydir cannot send an error there; what it must not do
   * is treat it as its own bug (it logged a 500 with a stack trace).
   */
  @Test
  void a_bad_chunk_size_drops_the_connection_without_a_500_or_a_logged_bug() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    String answer;
    try {
      answer =
          raw(
              "POST /_matrix/client/v3/keys/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  + "Authorization: Bearer nope\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
      Thread.sleep(200); // let a log line, if any, be written
    } finally {
      System.setErr(original);
    }
    assertThat(answer).doesNotContain(" 500 ");
    assertThat(captured.toString()).doesNotContain("ERROR");
  }

  @Test
  void the_admin_token_is_accepted_only_in_the_authorization_header() {
    Http.Response r =
        kd.http.get("/_keydir/admin/v1/audit?access_token=" + TestKeydir.ADMIN_TOKEN, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(kd.http.get("/_keydir/admin/v1/audit", TestKeydir.ADMIN_TOKEN).status())
        .isEqualTo(200);
  }

  @Test
  void an_audit_limit_beyond_int_range_is_refused_not_wrapped() {
    Http.Response r =
        kd.http.get("/_keydir/admin/v1/audit?limit=4294967297", TestKeydir.ADMIN_TOKEN);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.errcode()).isEqualTo("M_INVALID_PARAM");
  }

  @Test
  void a_display_name_with_a_lone_surrogate_is_refused_not_stored_as_a_question_mark() {
    Http.Response r =
        kd.http.post(
            "/_keydir/admin/v1/devices",
            TestKeydir.ADMIN_TOKEN,
            "{\"user_id\":\"@surrogate:test.keydir\",\"display_name\":\"a\\ud800b\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(
            kd.http
                .get(
                    "/_keydir/admin/v1/users/@surrogate:test.keydir/devices",
                    TestKeydir.ADMIN_TOKEN)
                .json()
                .path("devices")
                .size())
        .isZero();
  }
}
