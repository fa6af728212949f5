package org.keydir.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README "Architecture map" against the code (style §14): a row per package, every class a row
 * names lives in that package, every package's layer is the one ArchitectureTest enforces.
 */
class ReadmeMapTest {
  static final Pattern ROW =
      Pattern.compile(
          "^\\| `org\\.keydir\\.([a-z]+)` \\| ([A-Za-z ]+) \\| (.*) \\|$", Pattern.MULTILINE);
  static final Pattern CLASS = Pattern.compile("`([A-Z][A-Za-z0-9]*)`");

  record Row(String layer, String owns) {}

  static Map<String, Row> rows() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## Architecture map");
    Matcher m = ROW.matcher(readme.substring(start, readme.indexOf("\n## ", start + 3)));
    Map<String, Row> rows = new LinkedHashMap<>();
    while (m.find()) rows.put(m.group(1), new Row(m.group(2).strip(), m.group(3)));
    return rows;
  }

  @Test
  void every_package_of_the_server_has_its_row() throws IOException {
    List<String> packages;
    try (Stream<Path> dirs = Files.list(Path.of("server/src/main/java/org/keydir"))) {
      packages =
          dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(rows().keySet()).containsExactlyInAnyOrderElementsOf(packages);
  }

  @Test
  void every_class_a_row_names_is_in_that_package() throws IOException {
    List<String> missing = new ArrayList<>();
    int named = 0;
    for (var e : rows().entrySet()) {
      Matcher c = CLASS.matcher(e.getValue().owns());
      while (c.find()) {
        named++;
        String name = "org.keydir." + e.getKey() + "." + c.group(1);
        try {
          Class.forName(name, false, getClass().getClassLoader());
        } catch (ClassNotFoundException notThere) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("classes the README map names that do not exist").isEmpty();
    assertThat(named).isGreaterThan(60);
  }

  @Test
  void each_row_names_the_layer_the_architecture_test_puts_its_package_in() throws IOException {
    Map<String, String> layers =
        Map.ofEntries(
            Map.entry("domain", "Domain"),
            Map.entry("store", "Store"),
            Map.entry("use cases", "UseCases"),
            Map.entry("adapters", "Adapters"),
            Map.entry("edges", "Edges"),
            Map.entry("root", "Root"),
            Map.entry("CLI", "Cli"));
    for (var e : rows().entrySet()) {
      String pkg = "org.keydir." + e.getKey() + "..";
      assertThat(ArchitectureTest.layerOf(pkg))
          .as("layer of " + pkg)
          .isEqualTo(layers.get(e.getValue().layer()));
    }
  }
}
