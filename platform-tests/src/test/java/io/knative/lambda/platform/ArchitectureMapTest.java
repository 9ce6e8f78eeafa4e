package io.knative.lambda.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** ARCHITECTURE.md is a map a newcomer can trust: everything it names exists, every module is on it. */
class ArchitectureMapTest {

    /** Folders with a row in the Modules table that are not Maven modules. */
    private static final Set<String> KNOWN_FOLDERS = Set.of("eventing/", "k8s/", "scripts/", "examples/",
            "docs/", "function-runtime/node/");

    private static ArchitectureMap map() {
        Path root = RepositoryText.root();
        return new ArchitectureMap(RepositoryText.read(root.resolve("ARCHITECTURE.md")), root,
                RepositoryText.files(".java"), KNOWN_FOLDERS);
    }

    @Test
    void everyClassAndPathTheMapNamesExists() {
        List<String> missing = map().missing();

        assertThat(missing).as("ARCHITECTURE.md names what the repository does not have:%n  %s",
                String.join("\n  ", missing)).isEmpty();
    }

    @Test
    void everyModuleRowIsAModuleOrAKnownFolder() {
        List<String> wrong = map().rowsThatAreNotModules();

        assertThat(wrong).as("ARCHITECTURE.md's Modules table:%n  %s", String.join("\n  ", wrong)).isEmpty();
    }

    @Test
    void everyMavenModuleHasARow() {
        List<String> modules = RepositoryText.mavenModules();
        List<String> withoutRow = map().modulesWithoutRow(modules);

        assertThat(modules).as("the root pom's modules").contains("events", "service-common", "builder-service");
        assertThat(withoutRow).as("Maven modules without a row in ARCHITECTURE.md's Modules table: %s", withoutRow)
                .isEmpty();
    }

    @Test
    void theCheckCatchesAClassAPathAndAModuleThatAreNotThere() {
        Path root = RepositoryText.root();
        ArchitectureMap wrong = new ArchitectureMap("""
                ## Modules

                | path | what |
                |---|---|
                | `events/` | the catalogue |
                | `eventing/sources/` | not a module, not known |

                ## builder-service/

                `KafkaBuilderAdapter`, `k8s.Deployer`, `BuildService`, `builder-service/README.md`, `scripts/nothing.sh`,
                `/s3/notifications`, `{scope}/{kind}/{id}[.ext]`, `FAILURE_REASON`
                """, root, RepositoryText.files(".java"), KNOWN_FOLDERS);

        assertThat(wrong.missing()).containsExactly(
                "class `KafkaBuilderAdapter`: no KafkaBuilderAdapter.java in the repository",
                "class `k8s.Deployer`: no k8s/Deployer.java in the repository",
                "path `scripts/nothing.sh`: does not exist");
        assertThat(wrong.rowsThatAreNotModules()).singleElement().asString().startsWith("row `eventing/sources/`");
        assertThat(wrong.modulesWithoutRow(List.of("events", "service-common"))).containsExactly("service-common/");
    }
}
