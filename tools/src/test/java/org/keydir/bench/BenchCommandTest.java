package org.keydir.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BenchCommandTest {
  private static BenchOptions parse(String... args) {
    BenchCommand c = new BenchCommand();
    new CommandLine(c).parseArgs(args);
    return c.options();
  }

  @Test
  void defaults_are_the_issue_s_levels_phases_and_sizes() {
    BenchOptions o = parse("--base", "http://127.0.0.1:8008", "--admin-token", "t");
    assertThat(o.concurrency()).containsExactly(1, 4, 16, 64);
    assertThat(o.phases())
        .containsExactly(Phase.UPLOAD, Phase.CLAIM, Phase.CLAIM_BULK, Phase.QUERY, Phase.MIXED);
    assertThat(o.limit()).isEqualTo(RunLimit.ofDuration(Duration.ofSeconds(10)));
    assertThat(o.batch()).isEqualTo(100);
    assertThat(o.bulk()).isEqualTo(100);
  }

  @Test
  void lists_durations_request_counts_and_server_processes_parse() {
    BenchOptions o =
        parse(
            "--base",
            "http://h:1",
            "--devices-file",
            "f.csv",
            "--concurrency",
            "2,8",
            "--phases",
            "claim,claim-bulk",
            "--requests",
            "500",
            "--warmup",
            "250ms",
            "--server-pid",
            "keydir=12",
            "--server-pid",
            "postgres=34");
    assertThat(o.concurrency()).isEqualTo(List.of(2, 8));
    assertThat(o.phases()).containsExactly(Phase.CLAIM, Phase.CLAIM_BULK);
    assertThat(o.limit()).isEqualTo(RunLimit.ofRequests(500));
    assertThat(o.warmup()).isEqualTo(Duration.ofMillis(250));
    assertThat(o.serverPids()).containsEntry("keydir", 12L).containsEntry("postgres", 34L);
    assertThat(RunLimit.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(RunLimit.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void exactly_one_source_of_devices_and_known_phases_only() {
    assertThatThrownBy(() -> parse("--base", "http://h:1")).hasMessageContaining("exactly one of");
    assertThatThrownBy(
            () -> parse("--base", "http://h:1", "--admin-token", "t", "--phases", "claim,nap"))
        .hasMessageContaining("unknown phase 'nap'");
  }
}
