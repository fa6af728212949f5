package org.keydir.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md mirrors the code both ways: every setting keydir reads has its row, every
 * row a setting.
 */
class ConfigTableTest {
  static final Pattern ROW =
      Pattern.compile("^\\| `([a-z_.]+)` \\| `(KEYDIR_[A-Z0-9_]+)` \\|", Pattern.MULTILINE);

  @Test
  void every_environment_variable_keydir_reads_is_in_the_table() throws Exception {
    String table = Files.readString(Path.of("docs/configuration.md"));
    assertThat(ConfigLoader.environmentNames())
        .allSatisfy(
            name ->
                assertThat(table)
                    .as("docs/configuration.md row for " + name)
                    .contains("| `" + name + "` |"));
  }

  @Test
  void every_row_of_the_table_is_a_setting_keydir_reads_under_its_own_variable() throws Exception {
    Matcher rows = ROW.matcher(Files.readString(Path.of("docs/configuration.md")));
    List<String> known = ConfigLoader.environmentNames();
    int n = 0;
    while (rows.find()) {
      n++;
      String key = rows.group(1), env = rows.group(2);
      assertThat(known).as("row " + key).contains(env);
      assertThat(env)
          .as("the variable of " + key)
          .isEqualTo("KEYDIR_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
    }
    assertThat(n).as("rows").isEqualTo(known.size());
  }

  @Test
  void every_key_the_readme_names_is_a_setting() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section =
        readme.substring(
            readme.indexOf("## Configuration"),
            readme.indexOf("\n## ", readme.indexOf("## Configuration") + 3));
    Matcher keys =
        Pattern.compile("^\\| `([a-z_.]+)`(?:, `([a-z_.]+)`)? \\|", Pattern.MULTILINE)
            .matcher(section);
    int n = 0;
    while (keys.find()) {
      for (int g = 1; g <= 2; g++) {
        if (keys.group(g) == null) continue;
        n++;
        assertThat(ConfigLoader.environmentNames())
            .as("README config row " + keys.group(g))
            .contains(
                "KEYDIR_" + keys.group(g).toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
      }
    }
    assertThat(n).isGreaterThanOrEqualTo(5);
  }
}
