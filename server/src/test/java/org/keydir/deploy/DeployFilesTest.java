package org.keydir.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * deploy/ as far as this machine can check it: the kustomize trees render with kubectl and every
 * object validates against the Kubernetes API's schema (the generated models of the official Java
 * client: unknown fields, missing required fields, wrong types); the compose file validates against
 * the Compose Specification's schema; the Dockerfile runs the jar as ./keydir does.
 */
@DisplayName("deploy/: Kubernetes manifests, compose file and Dockerfile")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeployFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, Class<?>> MODELS =
      Map.of(
          "apps/v1/Deployment", io.kubernetes.client.openapi.models.V1Deployment.class,
          "v1/Service", io.kubernetes.client.openapi.models.V1Service.class,
          "v1/ConfigMap", io.kubernetes.client.openapi.models.V1ConfigMap.class,
          "v1/Secret", io.kubernetes.client.openapi.models.V1Secret.class,
          "policy/v1/PodDisruptionBudget",
              io.kubernetes.client.openapi.models.V1PodDisruptionBudget.class,
          "networking.k8s.io/v1/NetworkPolicy",
              io.kubernetes.client.openapi.models.V1NetworkPolicy.class);

  @Test
  void the_kubernetes_base_renders_and_every_object_validates_against_the_api_schema()
      throws Exception {
    List<JsonNode> objects = kustomize("deploy/k8s");
    objects.forEach(DeployFilesTest::validate);
    assertThat(objects.stream().map(o -> o.path("kind").asText()).collect(Collectors.toList()))
        .containsExactlyInAnyOrder(
            "ConfigMap",
            "Service",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "NetworkPolicy");
    validate(YAML.readTree(Path.of("deploy/k8s/base/secret.example.yaml").toFile()));

    JsonNode deployment = only(objects, "Deployment");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    JsonNode pod = deployment.at("/spec/template/spec");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
    assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
  }

  @Test
  void
      the_public_service_has_the_client_port_only_and_the_network_policy_keeps_the_operator_and_internal_ports_private()
          throws Exception {
    List<JsonNode> objects = kustomize("deploy/k8s");
    JsonNode config = only(objects, "ConfigMap").path("data");
    String operatorPort = config.path("KEYDIR_LISTEN_OPERATOR").asText().replaceAll(".*:", "");
    String internalPort = config.path("KEYDIR_INTERNAL_LISTEN").asText().replaceAll(".*:", "");
    JsonNode container = only(objects, "Deployment").at("/spec/template/spec/containers/0");
    Map<String, String> portByName = new java.util.HashMap<>();
    container
        .path("ports")
        .forEach(p -> portByName.put(p.path("name").asText(), p.path("containerPort").asText()));
    assertThat(portByName)
        .containsEntry("client", config.path("KEYDIR_LISTEN_PORT").asText())
        .containsEntry("operator", operatorPort)
        .containsEntry("internal", internalPort);

    JsonNode publicService =
        objects.stream()
            .filter(
                o ->
                    o.path("kind").asText().equals("Service")
                        && o.at("/metadata/name").asText().equals("keydir"))
            .findFirst()
            .orElseThrow();
    assertThat(publicService.at("/spec/ports")).hasSize(1);
    assertThat(publicService.at("/spec/ports/0/targetPort").asText()).isEqualTo("client");

    JsonNode policy = only(objects, "NetworkPolicy");
    assertThat(policy.at("/spec/policyTypes").toString()).contains("Ingress");
    for (JsonNode rule : policy.at("/spec/ingress")) {
      Set<String> ports = new java.util.HashSet<>();
      rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
      if (ports.contains("operator") || ports.contains("internal")) {
        assertThat(rule.path("from").size())
            .as("a private port open to every source: %s", rule)
            .isGreaterThan(0);
        assertThat(ports).doesNotContain("client");
      }
    }
    List<String> opened = new ArrayList<>();
    policy
        .at("/spec/ingress")
        .forEach(r -> r.path("ports").forEach(p -> opened.add(p.path("port").asText())));
    assertThat(opened).containsExactlyInAnyOrder("client", "operator", "internal");
  }

  @Test
  void the_citus_overlay_renders_validates_and_turns_citus_on() throws Exception {
    List<JsonNode> objects = kustomize("deploy/k8s/citus");
    objects.forEach(DeployFilesTest::validate);
    assertThat(only(objects, "ConfigMap").at("/data/KEYDIR_DATABASE_CITUS").asText())
        .isEqualTo("on");
    assertThat(only(objects, "PodDisruptionBudget").at("/spec/minAvailable").asInt())
        .isLessThan(only(objects, "Deployment").at("/spec/replicas").asInt());
  }

  @Test
  void the_validator_catches_a_misspelled_field_so_the_checks_above_can_fail() throws Exception {
    JsonNode deployment = only(kustomize("deploy/k8s"), "Deployment").deepCopy();
    ((ObjectNode) deployment.at("/spec/template/spec/containers/0"))
        .set("readinesProbe", deployment.at("/spec/template/spec/containers/0/readinessProbe"));
    assertThatThrownBy(() -> validate(deployment)).hasMessageContaining("readinesProbe");
    ObjectNode noSelector = only(kustomize("deploy/k8s"), "Deployment").deepCopy();
    ((ObjectNode) noSelector.path("spec")).remove("selector");
    assertThatThrownBy(() -> validate(noSelector)).hasMessageContaining("selector");
  }

  @Test
  void
      the_compose_file_validates_against_the_compose_specification_and_runs_two_replicas_sharing_the_secrets()
          throws Exception {
    JsonNode compose = composeFile();
    Set<ValidationMessage> errors =
        composeSchema().validate(JSON.readTree(JSON.writeValueAsString(compose)));
    assertThat(errors).isEmpty();
    JsonNode services = compose.path("services");
    assertThat(services.has("postgres")).isTrue();
    for (String replica : List.of("keydir-1", "keydir-2")) {
      JsonNode env = services.path(replica).path("environment");
      for (String shared :
          List.of("KEYDIR_KEY_ENCRYPTION_KEY", "KEYDIR_ADMIN_TOKEN", "KEYDIR_INTERNAL_TOKEN")) {
        assertThat(env.path(shared).asText())
            .as("%s %s", replica, shared)
            .startsWith("${" + shared);
      }
      assertThat(env.path("KEYDIR_DATABASE_URL").asText()).contains("@postgres:5432/");
    }
    JsonNode nginxVolumes = services.path("nginx").path("volumes");
    assertThat(nginxVolumes.toString()).contains("./proxy:/etc/nginx/matrix");
    for (JsonNode v : nginxVolumes) {
      Path source = Path.of("deploy").resolve(v.asText().split(":")[0]);
      if (!source.toString().contains("certs")) assertThat(source).exists();
    }
    assertThat(Path.of("deploy/keydir.env.example"))
        .content()
        .contains(
            "KEYDIR_KEY_ENCRYPTION_KEY=",
            "KEYDIR_ADMIN_TOKEN=",
            "KEYDIR_INTERNAL_TOKEN=",
            "POSTGRES_PASSWORD=");
  }

  @Test
  void the_citus_trial_cluster_compose_file_validates_and_its_setup_adds_both_workers()
      throws Exception {
    JsonNode compose = composeFile("deploy/citus/compose.yaml");
    assertThat(composeSchema().validate(JSON.readTree(JSON.writeValueAsString(compose)))).isEmpty();
    String setup = Files.readString(Path.of("deploy/citus/add-workers.sql"));
    compose
        .path("services")
        .fieldNames()
        .forEachRemaining(
            node -> {
              if (node.startsWith("worker"))
                assertThat(setup).contains("citus_add_node('" + node + "'");
            });
    assertThat(compose.at("/services/coordinator/image").asText()).startsWith("citusdata/citus:");
  }

  @Test
  void a_misplaced_compose_key_is_caught_by_the_schema() throws Exception {
    ObjectNode compose = (ObjectNode) composeFile();
    ((ObjectNode) compose.path("services").path("postgres")).put("helthcheck", "x");
    assertThat(composeSchema().validate(JSON.readTree(JSON.writeValueAsString(compose))))
        .isNotEmpty();
  }

  @Test
  void the_dockerfile_runs_the_jar_as_the_launcher_does_as_a_non_root_user_with_a_health_check()
      throws IOException {
    String docker = Files.readString(Path.of("deploy/Dockerfile"));
    String launcher = Files.readString(Path.of("keydir"));
    String defaults = launcher.replaceAll("(?s).*\\$\\{KEYDIR_JAVA_OPTS:-([^}]*)}.*", "$1");
    assertThat(docker).contains("KEYDIR_JAVA_OPTS=\"" + defaults + "\"");
    assertThat(docker)
        .contains("MALLOC_ARENA_MAX=2")
        .contains("server/target/keydir.jar")
        .contains("COPY sql sql");
    assertThat(docker)
        .containsPattern("(?m)^USER 10001")
        .containsPattern("(?m)^HEALTHCHECK .*\\n.*/health");
    assertThat(docker).contains("KEYDIR_LISTEN_HOST=0.0.0.0");
  }

  /**
   * The compose file as Compose reads it: SnakeYAML resolves the merge keys ({@code <<: *keydir});
   * Jackson's tree does not.
   */
  private static JsonNode composeFile() throws IOException {
    return composeFile("deploy/compose.yaml");
  }

  private static JsonNode composeFile(String path) throws IOException {
    Object loaded = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of(path)));
    return JSON.valueToTree(loaded);
  }

  private static JsonSchema composeSchema() {
    // its relative $id ("compose_spec.json") resolves against where it is read from
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(com.networknt.schema.SchemaLocation.of("classpath:deploy/compose-spec.json"));
  }

  private static JsonNode only(List<JsonNode> objects, String kind) {
    List<JsonNode> found =
        objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  /** Validates one object with the Kubernetes model of its apiVersion and kind. */
  private static void validate(JsonNode object) {
    String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    Class<?> model = MODELS.get(type);
    assertThat(model).as("no schema check for %s", type).isNotNull();
    try {
      JsonElement element = JsonParser.parseString(JSON.writeValueAsString(object));
      model.getMethod("validateJsonElement", JsonElement.class).invoke(null, element);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw new AssertionError(
          type + " " + object.at("/metadata/name").asText() + ": " + e.getCause().getMessage(), e);
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonNode> kustomize(String dir) throws Exception {
    assumeTrue(onPath("kubectl"), "skipped: kubectl is not installed (it renders deploy/k8s)");
    // stderr apart: newer kustomize warns there about the fields kept for Debian's kubectl 1.20
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process p =
          new ProcessBuilder("kubectl", "kustomize", dir).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(err)).isZero();
      return parse(out);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static List<JsonNode> parse(String out) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(out)) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(objects::add);
    }
    return objects;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) return true;
    }
    return false;
  }
}
