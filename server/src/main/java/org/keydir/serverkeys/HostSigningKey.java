package org.keydir.serverkeys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.keydir.config.ConfigException;
import org.keydir.crypto.Ed25519;

/**
 * {@code server_keys.mode: host}: keydir signs federation requests with the homeserver's own key,
 * which the homeserver publishes at {@code /_matrix/key/v2/server}; keydir never rotates it. The
 * file is Synapse's {@code signing.key}: one key per line, {@code ed25519 <version> <base64 seed>}
 * (the seed unpadded, as signedjson writes it; padding is accepted); like Synapse, the first key
 * signs. Dendrite's {@code matrix_key.pem} ({@code -----BEGIN MATRIX PRIVATE KEY-----}, header
 * {@code Key-ID: ed25519:<version>}, the base64 seed as body) is read as well. Error messages name
 * the file and line, never the seed.
 */
public final class HostSigningKey implements OwnKeys {
  private final String serverName;
  private final SigningKey key;
  private final String publicKeyBase64;

  private HostSigningKey(String serverName, SigningKey key, String publicKeyBase64) {
    this.serverName = serverName;
    this.key = key;
    this.publicKeyBase64 = publicKeyBase64;
  }

  public static HostSigningKey load(String serverName, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ConfigException(
          "server_keys.host_signing_key_path: cannot read the homeserver's signing key "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    if (lines.stream().anyMatch(l -> l.strip().equals(PEM_BEGIN)))
      return fromPem(serverName, lines, file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      return new HostSigningKey(serverName, parse(line, file, i + 1), null).withPublicKey();
    }
    throw new ConfigException(
        "server_keys.host_signing_key_path: " + file + " holds no signing key");
  }

  private static final String PEM_BEGIN = "-----BEGIN MATRIX PRIVATE KEY-----";

  /**
   * Dendrite's PEM block: the Key-ID header and the seed, rewritten as the Synapse line it stands
   * for.
   */
  private static HostSigningKey fromPem(String serverName, List<String> lines, Path file) {
    String keyId = null;
    StringBuilder body = new StringBuilder();
    boolean inside = false;
    int begin = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.equals(PEM_BEGIN)) {
        inside = true;
        begin = i + 1;
      } else if (line.startsWith("-----END")) {
        break;
      } else if (inside && line.startsWith("Key-ID:")) {
        keyId = line.substring(7).strip();
      } else if (inside && !line.isEmpty() && !line.contains(":")) {
        body.append(line);
      }
    }
    if (keyId == null || !keyId.startsWith("ed25519:")) {
      throw new ConfigException(
          "server_keys.host_signing_key_path: "
              + file
              + " line "
              + begin
              + ": the MATRIX PRIVATE KEY block has no 'Key-ID: ed25519:<version>' header");
    }
    SigningKey key = parse("ed25519 " + keyId.substring(8) + " " + body, file, begin);
    return new HostSigningKey(serverName, key, null).withPublicKey();
  }

  static SigningKey parse(String line, Path file, int lineNo) {
    String[] parts = line.split("\\s+");
    String where = "server_keys.host_signing_key_path: " + file + " line " + lineNo;
    if (parts.length != 3 || !parts[0].equals("ed25519")) {
      throw new ConfigException(
          where + " is not 'ed25519 <version> <base64 seed>' (Synapse's signing.key format)");
    }
    if (!parts[1].matches("[A-Za-z0-9_]{1,64}")) {
      throw new ConfigException(where + ": key version must be letters, digits or '_'");
    }
    byte[] seed;
    try {
      seed = Base64.getDecoder().decode(parts[2].replaceAll("=+$", ""));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          where + " (key ed25519:" + parts[1] + "): the seed is not valid base64");
    }
    if (seed.length != Ed25519.SEED_LENGTH) {
      throw new ConfigException(
          where
              + " (key ed25519:"
              + parts[1]
              + "): the seed must be 32 bytes (got "
              + seed.length
              + ")");
    }
    return new SigningKey("ed25519:" + parts[1], seed);
  }

  private HostSigningKey withPublicKey() {
    return new HostSigningKey(serverName, key, Ed25519.fromSeed(key.seed()).publicKeyBase64());
  }

  @Override
  public String serverName() {
    return serverName;
  }

  @Override
  public SigningKey signingKey() {
    return key;
  }

  /** For the startup log line and the README's check ("the key the homeserver publishes"). */
  public String publicKeyBase64() {
    return publicKeyBase64;
  }
}
