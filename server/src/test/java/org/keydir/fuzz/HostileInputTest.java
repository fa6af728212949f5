package org.keydir.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

/**
 * Hostile input against every endpoint: mutated, truncated, mistyped, huge, deep, duplicated,
 * non-UTF-8, empty and oversized bodies, odd content types and query strings. Every answer is a 2xx
 * or a 4xx Matrix error, never a 5xx, and a rejected request changes nothing in the database.
 */
class HostileInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int BODY_LIMIT = 65_536;
  private static TestKeydir kd;
  private static SigningDevice device;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeContainer
  static void start() {
    kd =
        TestKeydir.start(
            TestDatabase.fresh(),
            Map.of("KEYDIR_LIMITS_MAX_BODY_BYTES", Integer.toString(BODY_LIMIT)));
    device = new SigningDevice(kd.createDevice("fuzz", "FUZZDEV"));
    ObjectNode first = device.oneTimeKeys("SEED1", "SEED2");
    first.set("device_keys", device.deviceKeys());
    send(
        "POST",
        "/_matrix/client/v3/keys/upload",
        device.token,
        "application/json",
        first.toString().getBytes());
  }

  @AfterContainer
  static void stop() {
    kd.close();
  }

  record Endpoint(String method, String path, boolean admin, JsonNode validBody) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static List<Endpoint> endpoints() {
    ObjectNode upload = device.oneTimeKeys("FRESH");
    upload.putObject("fallback_keys").set("signed_curve25519:FB", device.signedKey(true));
    upload.set("device_keys", device.deviceKeys());
    ObjectNode claim = F.objectNode().put("timeout", 10000);
    claim
        .putObject("one_time_keys")
        .putObject(device.userId)
        .put(device.deviceId, "signed_curve25519");
    ObjectNode query = F.objectNode().put("timeout", 10000);
    query.putObject("device_keys").putArray(device.userId).add(device.deviceId);
    ObjectNode reset = F.objectNode().put("all", false);
    reset.putArray("key_ids").add("signed_curve25519:SEED1");
    String admin = "/_keydir/admin/v1";
    String dev =
        admin + "/users/" + device.userId.replace("@", "%40") + "/devices/" + device.deviceId;
    return List.of(
        new Endpoint("POST", "/_matrix/client/v3/keys/upload", false, upload),
        new Endpoint("POST", "/_matrix/client/v3/keys/claim", false, claim),
        new Endpoint("POST", "/_matrix/client/v3/keys/query", false, query),
        new Endpoint("POST", "/_matrix/client/v3/keys/reset", false, reset),
        new Endpoint(
            "POST", "/_matrix/client/unstable/org.matrix.msc4162/keys/reset", false, reset),
        new Endpoint(
            "POST",
            admin + "/devices",
            true,
            F.objectNode()
                .put("user_id", "@new:" + TestKeydir.SERVER_NAME)
                .put("device_id", "NEWDEV")
                .put("display_name", "x")),
        new Endpoint(
            "POST",
            dev + "/keys/reset",
            true,
            F.objectNode()
                .put("one_time_keys", true)
                .put("fallback_keys", false)
                .put("device_keys", false)));
  }

  @Property(tries = 600)
  @Label(
      "every hostile body to every endpoint is a 2xx or a 4xx Matrix error and a rejected one changes nothing")
  void hostile_bodies(
      @ForAll("endpoint") Endpoint endpoint,
      @ForAll("mutation") Mutation mutation,
      @ForAll("contentType") String contentType)
      throws Exception {
    byte[] body = mutation.apply(endpoint.validBody());
    String before = DatabaseFingerprint.of(kd);
    HttpResponse<String> r =
        send(
            endpoint.method(),
            endpoint.path(),
            endpoint.admin() ? TestKeydir.ADMIN_TOKEN : device.token,
            contentType,
            body);
    assertMatrixAnswer(r, endpoint + " " + mutation);
    if (r.statusCode() >= 400) {
      assertThat(DatabaseFingerprint.of(kd))
          .as("rejected %s %s changed the database", endpoint, mutation)
          .isEqualTo(before);
    }
  }

  @Property(tries = 300)
  @Label("hostile query strings and path segments on GET endpoints are a 2xx or a 4xx Matrix error")
  void hostile_query_strings(@ForAll("getPath") String path) throws Exception {
    String token = path.startsWith("/_keydir") ? TestKeydir.ADMIN_TOKEN : device.token;
    HttpResponse<String> r = send("GET", path, token, null, null);
    assertMatrixAnswer(r, path);
  }

  static void assertMatrixAnswer(HttpResponse<String> r, String what) throws Exception {
    String shortWhat =
        what.length() > 200 ? what.substring(0, 200) + "…(" + what.length() + " chars)" : what;
    assertThat(r.statusCode()).as("%s → %s", shortWhat, r.body()).isBetween(200, 499);
    if (r.statusCode() >= 400) {
      JsonNode err = JSON.readTree(r.body());
      assertThat(err.path("errcode").asText()).as(shortWhat).startsWith("M_");
      assertThat(err.path("error").isTextual()).as(shortWhat).isTrue();
    }
  }

  static HttpResponse<String> send(
      String method, String path, String token, String contentType, byte[] body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(kd.keydir.baseUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      if (token != null) b.header("Authorization", "Bearer " + token);
      if (contentType != null) b.header("Content-Type", contentType);
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    }
  }

  @Provide
  Arbitrary<Endpoint> endpoint() {
    return Arbitraries.of(endpoints());
  }

  @Provide
  Arbitrary<String> contentType() {
    return Arbitraries.of(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin1",
        "");
  }

  @Provide
  Arbitrary<Mutation> mutation() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 400).map(Mutation::truncate),
        Combinators.combine(Arbitraries.integers().between(0, 1000), hostileValue())
            .as(Mutation::replace),
        Combinators.combine(Arbitraries.integers().between(0, 1000), hostileValue())
            .as(Mutation::addMember),
        Arbitraries.integers().between(0, 1000).map(Mutation::duplicateMember),
        Arbitraries.of(
            Mutation.fixed("empty", new byte[0]),
            Mutation.fixed("null", "null".getBytes()),
            Mutation.fixed("array", "[]".getBytes()),
            Mutation.fixed("string", "\"x\"".getBytes()),
            Mutation.fixed("deep arrays", ("[".repeat(5000) + "]".repeat(5000)).getBytes()),
            Mutation.fixed(
                "deep objects", ("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)).getBytes()),
            Mutation.fixed("oversized", ("{\"x\":\"" + "a".repeat(BODY_LIMIT) + "\"}").getBytes()),
            Mutation.fixed(
                "invalid utf-8",
                new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'}),
            Mutation.fixed(
                "overlong utf-8",
                new byte[] {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'}),
            Mutation.fixed("NaN", "{\"timeout\":NaN}".getBytes()),
            Mutation.fixed("bom", ("\uFEFF{}").getBytes(StandardCharsets.UTF_8))),
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMaxSize(300)
            .map(b -> Mutation.fixed("random bytes", b)));
  }

  @Provide
  Arbitrary<String> getPath() {
    Arbitrary<String> junk =
        Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(40),
            Arbitraries.of(
                "-1",
                "0",
                "99999999999999999999",
                "1e9",
                "%",
                "%zz",
                "../../etc",
                "\u0000",
                "@",
                ":",
                "",
                "NaN",
                "x".repeat(5000)));
    Arbitrary<String> encoded = junk.map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8));
    String admin = "/_keydir/admin/v1";
    return Arbitraries.oneOf(
        Combinators.combine(encoded, encoded)
            .as(
                (a, b) ->
                    "/_matrix/client/unstable/io.keydir/keys/one_time_keys?limit="
                        + a
                        + "&from="
                        + b),
        Combinators.combine(encoded, encoded, encoded)
            .as((a, b, c) -> admin + "/audit?limit=" + a + "&from=" + b + "&user_id=" + c),
        Combinators.combine(encoded, encoded).as((a, b) -> admin + "/users/" + a + "/devices/" + b),
        encoded.map(a -> admin + "/users/" + a + "/devices"));
  }

  /**
   * A named transformation of a valid body into hostile bytes (the name is what a shrunk failure
   * shows).
   */
  record Mutation(String name, java.util.function.Function<JsonNode, byte[]> f) {
    byte[] apply(JsonNode valid) {
      return f.apply(valid);
    }

    @Override
    public String toString() {
      return name;
    }

    static Mutation fixed(String name, byte[] bytes) {
      return new Mutation(name, v -> bytes);
    }

    static Mutation truncate(int at) {
      return new Mutation(
          "truncate at " + at,
          v -> {
            byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
            return java.util.Arrays.copyOf(b, Math.min(at, Math.max(0, b.length - 1)));
          });
    }

    static Mutation replace(int pick, JsonNode value) {
      return new Mutation(
          "replace node #" + pick + " with " + abbreviate(value),
          v -> {
            JsonNode copy = v.deepCopy();
            List<Slot> slots = slots(copy);
            Slot s = slots.get(pick % slots.size());
            s.set(value);
            return copy.toString().getBytes(StandardCharsets.UTF_8);
          });
    }

    static Mutation addMember(int pick, JsonNode value) {
      return new Mutation(
          "add member to object #" + pick + ": " + abbreviate(value),
          v -> {
            JsonNode copy = v.deepCopy();
            List<ObjectNode> objects = new ArrayList<>();
            collectObjects(copy, objects);
            objects.get(pick % objects.size()).set("extra\u00e9", value);
            return copy.toString().getBytes(StandardCharsets.UTF_8);
          });
    }

    static Mutation duplicateMember(int pick) {
      return new Mutation(
          "duplicate a member of object #" + pick,
          v -> {
            String text = v.toString();
            int brace = nthIndexOf(text, '{', pick);
            if (brace < 0 || text.charAt(brace + 1) == '}') return ("{\"a\":1,\"a\":2}").getBytes();
            int colon = text.indexOf(':', brace);
            String key = text.substring(brace + 1, colon);
            return (text.substring(0, brace + 1) + key + ":null," + text.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
          });
    }
  }

  record Slot(JsonNode parent, String field, int index) {
    void set(JsonNode value) {
      if (parent instanceof ObjectNode o) o.set(field, value);
      else ((ArrayNode) parent).set(index, value);
    }
  }

  static List<Slot> slots(JsonNode root) {
    List<Slot> out = new ArrayList<>();
    walk(root, out);
    return out.isEmpty() ? List.of(new Slot(F.objectNode(), "x", 0)) : out;
  }

  private static void walk(JsonNode n, List<Slot> out) {
    if (n instanceof ObjectNode o) {
      o.fieldNames()
          .forEachRemaining(
              f -> {
                out.add(new Slot(o, f, -1));
                walk(o.get(f), out);
              });
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        out.add(new Slot(a, null, i));
        walk(a.get(i), out);
      }
    }
  }

  private static void collectObjects(JsonNode n, List<ObjectNode> out) {
    if (n instanceof ObjectNode o) out.add(o);
    n.forEach(c -> collectObjects(c, out));
  }

  private static int nthIndexOf(String s, char c, int n) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) at.add(i);
    return at.isEmpty() ? -1 : at.get(n % at.size());
  }

  static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 40 ? s.substring(0, 40) + "…(" + s.length() + " chars)" : s;
  }

  static Arbitrary<JsonNode> hostileValue() {
    return Arbitraries.of(
        F.nullNode(),
        F.booleanNode(true),
        F.numberNode(0),
        F.numberNode(-1),
        F.numberNode(1.5),
        F.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
        F.numberNode(new java.math.BigDecimal("1e400")),
        F.numberNode(Long.MAX_VALUE),
        F.numberNode(-0.0),
        F.textNode(""),
        F.textNode("x".repeat(100_000 / 2)),
        F.textNode("\u0000"),
        F.textNode("\ud800"),
        F.textNode("signed_curve25519:"),
        F.textNode(":"),
        F.textNode("@"),
        F.textNode("@a:b"),
        F.textNode("ed25519:FUZZDEV"),
        F.objectNode(),
        F.arrayNode(),
        F.arrayNode().add(1).add("x"),
        F.objectNode().put("key", "x"),
        F.objectNode().set("signatures", F.arrayNode()));
  }
}
