package org.keydir.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Matrix canonical JSON (spec appendix "Canonical JSON"): "the shortest UTF-8 JSON encoding with
 * dictionary keys lexicographically sorted by Unicode codepoint. Numbers in the JSON must be
 * integers in the range [-(2**53)+1, (2**53)-1], represented without exponents or decimal places,
 * and negative zero -0 MUST NOT appear."
 */
public final class CanonicalJson {
  private static final BigInteger MAX = BigInteger.TWO.pow(53).subtract(BigInteger.ONE);
  private static final BigInteger MIN = MAX.negate();
  private static final BigDecimal MAX_DEC = new BigDecimal(MAX);
  private static final BigDecimal MIN_DEC = new BigDecimal(MIN);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * Orders strings by Unicode code point, which is also UTF-8 byte order (unlike String.compareTo).
   */
  public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

  // Field names stay canonicalised: with CANONICALIZE_FIELD_NAMES off, Jackson 2 took a string
  // with invalid UTF-8 (ErrorsAndAuthTest.invalid_utf8_is_400_M_NOT_JSON failed).
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private CanonicalJson() {}

  /**
   * Shared mapper: rejects duplicate keys and trailing tokens, keeps numbers exact. Do not
   * reconfigure.
   */
  public static ObjectMapper strictMapper() {
    return STRICT;
  }

  /**
   * Parses one JSON value with {@link #strictMapper()}; malformed input throws
   * CanonicalJsonException.
   */
  public static JsonNode parse(String json) {
    try {
      return requirePresent(STRICT.readTree(json));
    } catch (JsonProcessingException e) {
      throw new CanonicalJsonException("invalid JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static JsonNode parse(byte[] utf8Json) {
    try {
      return requirePresent(STRICT.readTree(utf8Json));
    } catch (JsonProcessingException e) {
      throw new CanonicalJsonException("invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CanonicalJsonException("invalid JSON: " + e.getMessage(), e);
    }
  }

  public static String encode(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  /**
   * Throws what {@link #encode} would throw for value, without building the text: whether a value
   * can be stored and signed at all (integers in range, no unpaired surrogates).
   */
  public static void requireEncodable(JsonNode value) {
    switch (value.getNodeType()) {
      case OBJECT -> {
        List<String> keys = new ArrayList<>(value.size());
        value.fieldNames().forEachRemaining(keys::add);
        keys.sort(CODE_POINT_ORDER); // the order encode meets them in: the same first error
        for (String k : keys) {
          requireEncodable(k);
          requireEncodable(value.get(k));
        }
      }
      case ARRAY -> value.forEach(CanonicalJson::requireEncodable);
      case STRING -> requireEncodable(value.textValue());
      case NUMBER -> integerValue(value);
      case BOOLEAN, NULL -> {}
      default ->
          throw new CanonicalJsonException("not representable in JSON: " + value.getNodeType());
    }
  }

  private static void requireEncodable(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        writeString(s, new StringBuilder(s.length() + 2)); // throws for an unpaired one
        return;
      }
    }
  }

  /**
   * The bytes to sign or verify. Strings never hold unpaired surrogates here: encode rejects them.
   */
  public static byte[] encodeUtf8(JsonNode value) {
    return encode(value).getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode requirePresent(JsonNode node) {
    if (node == null || node.isMissingNode())
      throw new CanonicalJsonException("invalid JSON: no content");
    return node;
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> writeObject(node, out);
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) out.append(',');
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> writeString(node.textValue(), out);
      case NUMBER -> out.append(integerValue(node));
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL -> out.append("null");
      default ->
          throw new CanonicalJsonException("not representable in JSON: " + node.getNodeType());
    }
  }

  private static void writeObject(JsonNode node, StringBuilder out) {
    List<String> keys = new ArrayList<>(node.size());
    node.fieldNames().forEachRemaining(keys::add);
    keys.sort(CODE_POINT_ORDER);
    out.append('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) out.append(',');
      writeString(keys.get(i), out);
      out.append(':');
      write(node.get(keys.get(i)), out);
    }
    out.append('}');
  }

  /** Grammar: only '"', '\\' and U+0000..U+001F are escaped; short forms for \b \f \n \r \t. */
  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    int plain = 0;
    while (plain < s.length() && needsNoEscape(s.charAt(plain))) plain++;
    if (plain == s.length()) { // base64 keys and signatures, ids: copied whole
      out.append(s).append('"');
      return;
    }
    out.append(s, 0, plain);
    for (int i = plain; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            throw new CanonicalJsonException(
                String.format(
                    "unpaired surrogate U+%04X in string: not encodable as UTF-8", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean needsNoEscape(char c) {
    return c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c);
  }

  private static BigInteger integerValue(JsonNode node) {
    BigInteger value;
    if (node.isIntegralNumber()) {
      value = node.bigIntegerValue();
    } else {
      // The spec's own example maps {"a":-0,"b":1e10} to {"a":0,"b":10000000000}: a number
      // whose value is an integer is accepted whatever its notation; fractions are not.
      if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
        throw new CanonicalJsonException("number is not finite: " + node.asText());
      }
      BigDecimal dec = node.decimalValue();
      if (dec.compareTo(MAX_DEC) > 0 || dec.compareTo(MIN_DEC) < 0) {
        throw outOfRange(dec.toString());
      }
      if (dec.signum() != 0 && dec.stripTrailingZeros().scale() > 0) {
        throw new CanonicalJsonException("float values are not permitted: " + dec.toPlainString());
      }
      value = dec.toBigIntegerExact();
    }
    if (value.compareTo(MAX) > 0 || value.compareTo(MIN) < 0) throw outOfRange(value.toString());
    return value;
  }

  private static CanonicalJsonException outOfRange(String number) {
    return new CanonicalJsonException("integer out of range [-(2**53)+1, (2**53)-1]: " + number);
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) return Integer.compare(ca, cb);
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
