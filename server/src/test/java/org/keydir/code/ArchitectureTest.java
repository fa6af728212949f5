package org.keydir.code;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * keydir's layers (README "Architecture"), checked on the compiled main classes: pure domain ←
 * store ← use cases ← adapters ← edges ← the composition root ← the CLI, and no package cycle.
 */
class ArchitectureTest {
  static final String[] DOMAIN = {
    "org.keydir.keys..",
    "org.keydir.auth..",
    "org.keydir.admin..",
    "org.keydir.serverkeys..",
    "org.keydir.lifecycle..",
    "org.keydir.crypto..",
    "org.keydir.config..",
    "org.keydir.files.."
  };
  static final String[] STORE = {"org.keydir.store.."};
  static final String[] USE_CASES = {"org.keydir.usecases.."};
  static final String[] ADAPTERS = {
    "org.keydir.federation..", "org.keydir.host..", "org.keydir.metrics.."
  };
  static final String[] EDGES = {"org.keydir.http.."};
  static final String[] ROOT = {"org.keydir.app.."};
  static final String[] CLI = {"org.keydir.cli.."};
  static final java.util.Map<String, String[]> LAYERS = new java.util.LinkedHashMap<>();

  static {
    LAYERS.put("Domain", DOMAIN);
    LAYERS.put("Store", STORE);
    LAYERS.put("UseCases", USE_CASES);
    LAYERS.put("Adapters", ADAPTERS);
    LAYERS.put("Edges", EDGES);
    LAYERS.put("Root", ROOT);
    LAYERS.put("Cli", CLI);
  }

  /** The layer a package pattern (as written above) belongs to, or null. */
  static String layerOf(String packagePattern) {
    for (var e : LAYERS.entrySet()) {
      if (java.util.Arrays.asList(e.getValue()).contains(packagePattern)) return e.getKey();
    }
    return null;
  }

  static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.keydir");
  }

  @Test
  void the_whole_server_is_checked() {
    assertThat(main.size()).as("classes imported").isGreaterThan(200);
  }

  @Test
  void no_package_depends_on_itself_through_others() {
    slices().matching("org.keydir.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void each_layer_uses_only_the_layers_below_it() {
    layers().check(main);
  }

  static ArchRule layers() {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Domain")
        .definedBy(DOMAIN)
        .layer("Store")
        .definedBy(STORE)
        .layer("UseCases")
        .definedBy(USE_CASES)
        .layer("Adapters")
        .definedBy(ADAPTERS)
        .layer("Edges")
        .definedBy(EDGES)
        .layer("Root")
        .definedBy(ROOT)
        .layer("Cli")
        .definedBy(CLI)
        .whereLayer("Cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Root")
        .mayOnlyBeAccessedByLayers("Cli")
        .whereLayer("Edges")
        .mayOnlyBeAccessedByLayers("Root", "Cli")
        .whereLayer("Adapters")
        .mayOnlyBeAccessedByLayers("Edges", "Root", "Cli")
        .whereLayer("UseCases")
        .mayOnlyBeAccessedByLayers("Adapters", "Edges", "Root", "Cli")
        .whereLayer("Store")
        .mayOnlyBeAccessedByLayers("UseCases", "Adapters", "Edges", "Root", "Cli");
  }

  @Test
  void the_domain_knows_no_database_no_http_and_no_event_loop() {
    noClasses()
        .that()
        .resideInAnyPackage(DOMAIN)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx.sqlclient..",
            "io.vertx.pgclient..",
            "io.vertx.ext..",
            "io.vertx.core.http..",
            "io.vertx.core.net..",
            "java.sql..",
            "org.flywaydb..",
            "io.micrometer..")
        .because(
            "the domain is values, rules and policies; I/O lives in store, use cases and edges")
        .check(main);
  }

  @Test
  void policies_and_planners_are_pure() {
    noClasses()
        .that()
        .haveSimpleNameEndingWith("Policy")
        .or()
        .haveSimpleNameEndingWith("Planner")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx..", "org.keydir.store..", "java.sql..")
        .because("decide, then act: a policy is a pure function over state read from the store")
        .check(main);
  }

  @Test
  void only_the_composition_root_builds_stores_and_use_cases() {
    DescribedPredicate<JavaClass> storeOrUseCase =
        DescribedPredicate.describe(
            "a store or a use case",
            c ->
                (c.getPackageName().equals("org.keydir.store")
                        && c.getSimpleName().endsWith("Store"))
                    || (c.getPackageName().equals("org.keydir.usecases")
                        && !c.isRecord()
                        && !c.isNestedClass()));
    DescribedPredicate<JavaConstructorCall> fromAnotherClass =
        DescribedPredicate.describe(
            "from another class", call -> !call.getOriginOwner().equals(call.getTargetOwner()));
    noClasses()
        .that()
        .resideOutsideOfPackages(ROOT)
        .should()
        .callConstructorWhere(
            fromAnotherClass.and(
                JavaCall.Predicates.target(HasOwner.Predicates.With.owner(storeOrUseCase))))
        .because("app.Services (and its parts) is the one place that wires stores and use cases")
        .check(main);
  }

  @Test
  void the_http_edge_speaks_to_use_cases_not_to_the_database() {
    noClasses()
        .that()
        .resideInAnyPackage("org.keydir.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.pgclient..", "java.sql..")
        .check(main);
  }
}
