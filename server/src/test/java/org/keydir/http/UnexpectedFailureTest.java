package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.keys.KeydirException;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnexpectedFailureTest {
  @Test
  void an_unexpected_exception_is_a_500_matrix_error_naming_the_request_id_and_no_internals() {
    MatrixErrors.Reply r =
        MatrixErrors.of(new IllegalStateException("secret internals"), 500, "req42");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.errcode()).isEqualTo("M_UNKNOWN");
    assertThat(r.error()).contains("req42").doesNotContain("secret");
  }

  @Test
  void an_unreachable_database_is_a_503_not_a_500() {
    MatrixErrors.Reply r =
        MatrixErrors.of(new RuntimeException(new ConnectException("refused")), 500, "r");
    assertThat(r.status()).isEqualTo(503);
  }

  @Test
  void every_domain_error_kind_has_a_4xx_or_503_status() {
    for (KeydirException.Kind kind : KeydirException.Kind.values()) {
      MatrixErrors.Reply r = MatrixErrors.of(KeydirException.of(kind, "x"), 500, "r");
      assertThat(r.status()).as(kind.name()).isBetween(400, 503).isNotEqualTo(500);
      assertThat(r.errcode()).as(kind.name()).startsWith("M_");
    }
  }
}
