package org.keydir.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads {@link KeydirConfig}: defaults, then the YAML file, then {@code KEYDIR_*} environment
 * variables. Unknown keys, wrong types and invalid values are a {@link ConfigException} naming the
 * key.
 */
public final class ConfigLoader {
  static final String ENV_PREFIX = "KEYDIR_";
  private static final ObjectMapper MAPPER =
      YAMLMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private ConfigLoader() {}

  public static KeydirConfig load(Path yamlFile, Map<String, String> env) {
    ObjectNode tree = MAPPER.valueToTree(KeydirConfig.defaults());
    if (yamlFile != null) {
      mergeInto(tree, readYaml(yamlFile), "");
    }
    applyEnv(tree, env, "");
    return bind(tree);
  }

  /** Every environment variable keydir reads, for the README and for warnings. */
  public static List<String> environmentNames() {
    List<String> names = new ArrayList<>();
    collectEnvNames(MAPPER.valueToTree(KeydirConfig.defaults()), "", names);
    return names;
  }

  /** Read by the {@code ./keydir} script and the tests, not by the config: never "unknown". */
  static final List<String> NOT_CONFIG = List.of("KEYDIR_JAVA_OPTS", "KEYDIR_BENCH_JAVA_OPTS");

  public static List<String> unknownEnvironmentNames(Map<String, String> env) {
    List<String> known = environmentNames();
    return env.keySet().stream()
        .filter(
            k ->
                k.startsWith(ENV_PREFIX)
                    && !known.contains(k)
                    && !k.startsWith("KEYDIR_TEST_")
                    && !NOT_CONFIG.contains(k))
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * A misspelt variable would otherwise be silently ignored (keydir would run with the default):
   * the first unknown {@code KEYDIR_*} name is an error, with the known name closest to it.
   */
  public static void refuseUnknownEnvironment(Map<String, String> env) {
    List<String> unknown = unknownEnvironmentNames(env);
    if (unknown.isEmpty()) return;
    String name = unknown.get(0);
    String closest =
        environmentNames().stream()
            .min(java.util.Comparator.comparingInt(k -> distance(k, name)))
            .orElseThrow();
    throw new ConfigException(
        "unknown environment variable "
            + name
            + (distance(closest, name) <= 3 ? " (did you mean " + closest + "?)" : "")
            + "; keydir reads only the KEYDIR_* names in the README's configuration table");
  }

  /** Levenshtein distance (two rows). */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] =
            Math.min(
                Math.min(cur[j - 1], prev[j]) + 1,
                prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static JsonNode readYaml(Path file) {
    try {
      JsonNode node = MAPPER.readTree(Files.readAllBytes(file));
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject())
        throw new ConfigException("config file " + file + " must hold a YAML mapping");
      return node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          "config file " + file + " is not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  private static void mergeInto(ObjectNode target, JsonNode source, String prefix) {
    for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = prefix + field.getKey();
      JsonNode current = target.get(field.getKey());
      if (current == null) throw new ConfigException("unknown config key '" + key + "'");
      if (current.isObject()) {
        if (!field.getValue().isObject())
          throw new ConfigException("config key '" + key + "' must be a mapping");
        mergeInto((ObjectNode) current, field.getValue(), key + ".");
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }

  private static void applyEnv(ObjectNode tree, Map<String, String> env, String prefix) {
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = prefix + field.getKey();
      if (field.getValue().isObject()) {
        applyEnv((ObjectNode) field.getValue(), env, key + ".");
        continue;
      }
      String value = env.get(envName(key));
      if (value == null) continue;
      if (value.isEmpty()) {
        tree.putNull(field.getKey());
      } else if (field.getValue().isBoolean()) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw new ConfigException(
              envName(key)
                  + " (config key '"
                  + key
                  + "') must be true or false (got '"
                  + value
                  + "')");
        }
        tree.put(field.getKey(), Boolean.parseBoolean(v));
      } else if (field.getValue().isNumber()) {
        try {
          tree.put(field.getKey(), Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
          throw new ConfigException(
              envName(key)
                  + " (config key '"
                  + key
                  + "') must be an integer (got '"
                  + value
                  + "')");
        }
      } else {
        tree.put(field.getKey(), value);
      }
    }
  }

  private static void collectEnvNames(JsonNode tree, String prefix, List<String> out) {
    tree.fields()
        .forEachRemaining(
            f -> {
              if (f.getValue().isObject())
                collectEnvNames(f.getValue(), prefix + f.getKey() + ".", out);
              else out.add(envName(prefix + f.getKey()));
            });
  }

  static String envName(String key) {
    return ENV_PREFIX + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }

  private static KeydirConfig bind(ObjectNode tree) {
    try {
      return MAPPER.treeToValue(tree, KeydirConfig.class);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ConfigException ce) throw ce;
      throw new ConfigException("invalid config: " + e.getOriginalMessage());
    } catch (MismatchedInputException e) {
      throw new ConfigException(
          "config key '" + path(e) + "' has the wrong type: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException("invalid config: " + e.getOriginalMessage());
    }
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }
}
