package org.keydir.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules over the server's sources that no compiler checks. */
class SourceRulesTest {
  /**
   * Case mapping without a locale follows the JVM's default: under a Turkish locale
   * "ACTIVE".toLowerCase() is "actıve" (dotless i), which would change audit rows and admin
   * answers.
   */
  @Test
  void case_mapping_always_names_its_locale() throws IOException {
    Pattern bare = Pattern.compile("\\.to(Lower|Upper)Case\\(\\)");
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("server/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          if (bare.matcher(lines.get(i)).find()) offenders.add(f + ":" + (i + 1));
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
