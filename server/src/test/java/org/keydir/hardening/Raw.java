package org.keydir.hardening;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP for hardening tests, every call with a deadline. */
final class Raw {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Raw() {}

  record Answer(int status, String body, long millis) {}

  static Answer send(
      String url, String method, String authorization, String body, Duration deadline)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(deadline)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) b.header("Authorization", authorization);
    if (body != null) b.header("Content-Type", "application/json");
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), (System.nanoTime() - t0) / 1_000_000);
  }

  static Answer get(String url) throws Exception {
    return send(url, "GET", null, null, Duration.ofSeconds(10));
  }
}
