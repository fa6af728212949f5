package org.keydir.federation;

import java.util.HashMap;
import java.util.Map;
import org.keydir.keys.KeydirException;

/**
 * The {@code Authorization: X-Matrix origin=…,destination=…,key=…,sig=…} header (server-server
 * spec, "Request Authentication"). Parameter values may be quoted strings or tokens (RFC 9110
 * auth-params); {@code destination} may be absent in requests from older servers.
 */
public record XMatrixHeader(String origin, String destination, String keyId, String sig) {
  private static final String SCHEME = "X-Matrix";

  public static XMatrixHeader parse(String header) {
    if (header == null) throw unauthorized("missing X-Matrix Authorization header");
    String h = header.trim();
    if (!h.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
        || h.length() == SCHEME.length()
        || h.charAt(SCHEME.length()) != ' ') {
      throw unauthorized("Authorization is not an X-Matrix header");
    }
    Map<String, String> params = params(h.substring(SCHEME.length() + 1));
    String origin = params.get("origin");
    String key = params.get("key");
    String sig = params.get("sig");
    if (origin == null || key == null || sig == null)
      throw unauthorized("X-Matrix header needs origin, key and sig");
    return new XMatrixHeader(origin, params.get("destination"), key, sig);
  }

  public String format() {
    return SCHEME
        + " origin=\""
        + origin
        + "\",destination=\""
        + destination
        + "\",key=\""
        + keyId
        + "\",sig=\""
        + sig
        + "\"";
  }

  private static Map<String, String> params(String s) {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == ' ')) i++;
      int eq = s.indexOf('=', i);
      if (eq < 0) break;
      String name = s.substring(i, eq).trim().toLowerCase(java.util.Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) i++;
          value.append(s.charAt(i++));
        }
        if (i >= s.length()) throw unauthorized("unterminated quoted value in X-Matrix header");
        i++;
      } else {
        while (i < s.length() && s.charAt(i) != ',') value.append(s.charAt(i++));
      }
      if (out.put(name, value.toString().trim()) != null)
        throw unauthorized("repeated '" + name + "' in X-Matrix header");
    }
    return out;
  }

  static KeydirException unauthorized(String message) {
    return KeydirException.of(KeydirException.Kind.UNAUTHORIZED, "%s", message);
  }
}
