package org.keydir.admin;

import java.util.List;
import org.keydir.keys.KeyId;

/** What an admin reset or a device deletion removed. */
public record ResetReport(
    int oneTimeKeysDeleted,
    List<KeyId> fallbackKeysDeleted,
    boolean deviceKeysDeleted,
    int accessTokensDeleted) {}
