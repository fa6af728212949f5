package org.keydir.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README "Configuration" mirrors the code: every setting keydir reads has its row (style §14). */
class ReadmeConfigTableTest {
  @Test
  void every_environment_variable_keydir_reads_is_in_the_readme_table() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(ConfigLoader.environmentNames()).allSatisfy(name ->
        assertThat(readme).as("README row for " + name).contains("| `" + name + "` |"));
  }
}
