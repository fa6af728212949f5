package org.keydir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --help} answers on every command and subcommand (in-process: no JVM per case). */
class HelpTest {
  @Test
  void every_command_and_subcommand_has_help() {
    List<String[]> commands =
        List.of(
            new String[] {"serve"},
            new String[] {"migrate"},
            new String[] {"audit"},
            new String[] {"device"},
            new String[] {"device", "create"},
            new String[] {"device", "show"},
            new String[] {"device", "list"},
            new String[] {"device", "reset"},
            new String[] {"device", "delete"},
            new String[] {"server-keys", "rotate"},
            new String[] {"server-keys", "list"},
            new String[] {"server-keys", "revoke"},
            new String[] {"cross-signing", "show"},
            new String[] {"cross-signing", "delete"},
            new String[] {"cross-signing", "allow-replacement"});
    PrintStream original = System.out;
    try {
      for (String[] c : commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        String[] args = java.util.Arrays.copyOf(c, c.length + 1);
        args[c.length] = "--help";
        int code = KeydirCli.run(args);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(String.join(" ", args) + ": " + text).isZero();
        assertThat(text)
            .as(String.join(" ", args))
            .contains("Usage: keydir " + String.join(" ", c));
      }
    } finally {
      System.setOut(original);
    }
  }
}
