package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.auth.AccessTokens;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TokenSecrecyTest {
  @Test
  void access_and_admin_tokens_never_appear_in_the_logs() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      TestKeydir.Device d = kd.createDevice("secret", null);
      System.setErr(new PrintStream(captured, true));
      kd.http.get("/_matrix/client/v3/account/whoami?access_token=" + d.token(), null);
      kd.http.post("/_matrix/client/v3/keys/upload", d.token(), "{not json");
      kd.http.post("/_matrix/client/v3/keys/upload", d.token() + "x", "{}");
      kd.http.post("/_keydir/admin/v1/devices", TestKeydir.ADMIN_TOKEN + "x", "{}");
      kd.http.post("/_keydir/admin/v1/devices", TestKeydir.ADMIN_TOKEN, "{\"user_id\":5}");
      kd.http.post("/_matrix/federation/v1/user/keys/query", null, "{}");
      System.setErr(original);
      assertThat(captured.toString())
          .doesNotContain(d.token())
          .doesNotContain(TestKeydir.ADMIN_TOKEN);
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void the_admin_token_is_compared_in_constant_time_over_hashes() {
    assertThat(AccessTokens.sameSecret("a-long-admin-token-1234", "a-long-admin-token-1234"))
        .isTrue();
    assertThat(AccessTokens.sameSecret("a-long-admin-token-1234", "a-long-admin-token-1235"))
        .isFalse();
    assertThat(AccessTokens.sameSecret("a-long-admin-token-1234", "")).isFalse();
  }
}
