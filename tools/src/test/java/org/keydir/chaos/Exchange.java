package org.keydir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One HTTP request and what came back; wall-clock times are comparable with keydir's timestamps.
 */
record Exchange(
    int status, String body, Outcome outcome, String error, long startMs, long endMs, long nanos) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Exchange answered(int status, String body, boolean notDelivered, long startMs, long t0) {
    Outcome o =
        notDelivered
            ? Outcome.NOT_DELIVERED
            : status >= 200 && status < 300
                ? Outcome.OK
                : status == 503
                    ? Outcome.UNAVAILABLE
                    : status >= 500 ? Outcome.SERVER_ERROR : Outcome.REJECTED;
    return new Exchange(
        status, body, o, null, startMs, System.currentTimeMillis(), System.nanoTime() - t0);
  }

  static Exchange noAnswer(String error, long startMs, long t0) {
    return new Exchange(
        -1,
        null,
        Outcome.NO_ANSWER,
        error,
        startMs,
        System.currentTimeMillis(),
        System.nanoTime() - t0);
  }

  boolean ok() {
    return outcome == Outcome.OK;
  }

  JsonNode json() {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON (status " + status + "): " + body, e);
    }
  }

  String describe() {
    return outcome
        + (status > 0 ? " " + status : "")
        + (error != null ? " " + error : "")
        + (body != null && !body.isEmpty() && !ok() ? " " + abbreviate(body) : "");
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
