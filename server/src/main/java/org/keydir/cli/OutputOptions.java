package org.keydir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output for scripts; human-readable text otherwise. */
final class OutputOptions {
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--json", description = "Print JSON (for scripts) instead of text.")
  boolean json;

  void print(PrintWriter out, JsonNode asJson, String asText) {
    try {
      out.println(json ? PRETTY.writeValueAsString(asJson) : asText);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }
}
