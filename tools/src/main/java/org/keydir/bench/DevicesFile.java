package org.keydir.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Devices of any homeserver, one per line: {@code user_id, device_id, access_token} separated by
 * commas, tabs or spaces; blank lines, {@code #} comments and a {@code user_id,…} header are
 * skipped. The devices must have no keys yet: the bench makes their identity keys.
 */
final class DevicesFile {
  private DevicesFile() {}

  static List<DeviceCredentials> read(Path file) throws IOException {
    List<DeviceCredentials> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file)) {
      lineNo++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) continue;
      String[] f = t.split("\\s*[,\\t ]\\s*");
      if (out.isEmpty() && f[0].equalsIgnoreCase("user_id")) continue;
      if (f.length != 3)
        throw new IllegalArgumentException(
            file + ":" + lineNo + ": want user_id, device_id, access_token");
      out.add(new DeviceCredentials(f[0], f[1], f[2]));
    }
    if (out.isEmpty()) throw new IllegalArgumentException(file + ": no devices");
    return out;
  }
}
