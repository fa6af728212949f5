package org.keydir.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Issue 17: keydir serves HTTP and talks to PostgreSQL over Netty's epoll transport on Linux x86-64
 * (less CPU per request than Java NIO: docs/performance.md, item 10); elsewhere it falls back to
 * NIO and says why at startup.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NetworkTransportTest {
  @Test
  void keydir_runs_on_epoll_on_linux_x86_64() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64"),
        "the epoll jar keydir ships is for Linux x86-64");
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      assertThat(kd.keydir.transport()).isEqualTo("epoll");
    }
  }
}
