package org.keydir.keys;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * A change only the operator may approve (replacing a user's cross-signing identity): answered as
 * user-interactive auth (spec "User-interactive authentication API"), 401 with {@code flows},
 * {@code params} and {@code session}, whose one stage, {@code m.oauth} (MSC4312), is the approval.
 */
public final class ApprovalRequired extends RuntimeException {
  public static final String STAGE = "m.oauth";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String session;
  private final String approvalUrl;

  private ApprovalRequired(String message, String session, String approvalUrl) {
    super(message, null, false, false);
    this.session = session;
    this.approvalUrl = approvalUrl;
  }

  public static ApprovalRequired forUser(String userId, String approvalUrl) {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return new ApprovalRequired(
        "replacing the cross-signing keys of " + userId + " needs the operator's approval",
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        approvalUrl);
  }

  /**
   * {@code cross_signing.approval_url}: the page where the user asks the operator (may be empty).
   */
  public String approvalUrl() {
    return approvalUrl;
  }

  public String session() {
    return session;
  }
}
