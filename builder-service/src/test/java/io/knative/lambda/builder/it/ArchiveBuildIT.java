package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.BuilderIT.assertFailed;
import static io.knative.lambda.builder.it.CloudEvents.binary;
import static io.knative.lambda.builder.it.CloudEvents.put;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.builder.archive.Archives;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.builder.maven.TestLibraries;
import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Archives through the packaged builder against a real registry, a PEP 503 index and a Maven repository on loopback:
 * dependency layers built once and reused (no dependency bytes pushed again), function.yaml's settings and
 * environment in build.completed, entry points by rule, and the failures a user gets back.
 */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class ArchiveBuildIT {

    private static final String MAIN = "from lib.words import excited\n\ndef handler(event):\n"
            + "    return {'greeting': excited(event.get('name', 'world'))}\n";
    private final RegistryReader registry = new RegistryReader(BuilderServers.registry.host());

    private static Archives pythonFunction(String main) {
        return Archives.of().file("main.py", main).file("lib/__init__.py", "").file("lib/words.py",
                "from greeting import greet\n\ndef excited(n):\n    return greet(n)\n").file("requirements.txt", "greeting==1.0\n");
    }

    static Response build(String key, byte[] archive, Map<String, String> metadata) {
        put(key, archive, metadata);
        return binary("io.knative.lambda.build.requested", "req-" + key.hashCode() + "-" + System.nanoTime(),
                Map.of("bucket", BuilderServers.BUCKET, "key", key));
    }

    static JsonNode completed(Response reply) {
        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.build.completed");
        return CloudEvents.parse(reply.asString());
    }

    static JsonNode layer(JsonNode data, String name) {
        return StreamSupport.stream(data.path("layers").spliterator(), false).filter(l -> l.path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no layer " + name + " in " + data));
    }

    @Test
    void aPythonArchiveWithRequirementsGetsADependencyLayerAndItsManifestsSettingsAndEnvironment() throws Exception {
        String id = CloudEvents.newId("deps");
        byte[] zip = pythonFunction(MAIN).file("function.yaml", """
                environment:
                  GREETING_STYLE: loud
                max-scale: 5
                min-scale: 1
                """).zip();

        JsonNode data = completed(build("global/parser/" + id + ".zip", zip, Map.of("max-scale", "2")));

        assertThat(data.path("settings").path("max-scale").asText()).as("object metadata wins").isEqualTo("2");
        assertThat(data.path("settings").path("min-scale").asText()).as("function.yaml where metadata is silent").isEqualTo("1");
        assertThat(data.path("environment").path("GREETING_STYLE").asText()).isEqualTo("loud");
        assertThat(layer(data, "dependencies").path("reused").asBoolean()).isFalse();
        assertThat(layer(data, "code").path("reused").asBoolean()).isFalse();
        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        JsonNode manifest = registry.manifest(repository, data.path("digest").asText());
        List<String> layerDigests = StreamSupport.stream(manifest.path("layers").spliterator(), false)
                .map(l -> l.path("digest").asText()).toList();
        assertThat(layerDigests).containsSubsequence(layer(data, "dependencies").path("digest").asText(),
                layer(data, "code").path("digest").asText());
        Map<String, String> deps = BlobFiles.of(registry.blob(repository, layer(data, "dependencies").path("digest").asText()));
        assertThat(deps).containsKeys("function-deps/greeting.py", "function-deps/shout.py");
        Map<String, byte[]> code = registry.layerFiles(repository, layer(data, "code").path("digest").asText());
        assertThat(code).containsKeys("function/main.py", "function/lib/words.py", "function/requirements.txt");
        assertThat(env(registry.config(repository, manifest))).contains("FUNCTION_DEPS_DIR=/function-deps",
                "FUNCTION_FILE=main.py", "FUNCTION_RUNTIME=python");
    }

    @Test
    void aCodeOnlyChangeAndAnotherFunctionReuseTheDependencyLayerAndPushOnlyCodeConfigAndManifest() {
        String id = CloudEvents.newId("reuse");
        String key = "global/parser/" + id + ".tar.gz";
        JsonNode first = completed(build(key, pythonFunction(MAIN).tarGz(), Map.of()));
        String dependencies = layer(first, "dependencies").path("digest").asText();
        Set<String> before = BuilderServers.registry.blobDigests();

        JsonNode second = completed(build(key, pythonFunction(MAIN.replace("'world'", "'there'")).tarGz(), Map.of()));

        assertThat(layer(second, "dependencies").path("reused").asBoolean()).isTrue();
        assertThat(layer(second, "dependencies").path("digest").asText()).isEqualTo(dependencies);
        Set<String> added = new HashSet<>(BuilderServers.registry.blobDigests());
        added.removeAll(before);
        assertThat(added).as("only the code layer, the config and the manifest are new")
                .hasSize(3).contains(layer(second, "code").path("digest").asText(), second.path("digest").asText())
                .doesNotContain(dependencies);

        Set<String> beforeOther = BuilderServers.registry.blobDigests();
        JsonNode other = completed(build("acme/parser/" + CloudEvents.newId("other") + ".zip",
                pythonFunction("def handler(e):\n    return e\n").zip(), Map.of()));
        Set<String> addedByOther = new HashSet<>(BuilderServers.registry.blobDigests());
        addedByOther.removeAll(beforeOther);
        assertThat(layer(other, "dependencies").path("reused").asBoolean()).isTrue();
        assertThat(layer(other, "dependencies").path("digest").asText()).isEqualTo(dependencies);
        assertThat(addedByOther).as("another function with the same requirements").hasSize(3).doesNotContain(dependencies);
    }

    @Test
    void aJavaArchiveWithDepsIsCompiledAgainstThemAndShipsTheJars() throws Exception {
        String id = CloudEvents.newId("jdeps");
        byte[] tgz = Archives.of().file("src/com/acme/Loud.java", """
                //DEPS %s
                package com.acme;

                import java.util.Map;

                public class Loud {
                    public Map<String, Object> handler(Map<String, Object> event) {
                        return Map.of("shout", Words.shout(String.valueOf(event.get("name"))));
                    }
                }
                """.formatted(TestLibraries.SHOUT)).file("src/com/acme/Words.java", """
                package com.acme;

                public class Words {
                    static String shout(String s) { return com.acme.text.Shout.shout(s); }
                }
                """).tarGz();

        JsonNode data = completed(build("global/parser/" + id + ".tgz", tgz, Map.of()));

        assertThat(data.path("runtime").asText()).isEqualTo("java");
        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        JsonNode manifest = registry.manifest(repository, data.path("digest").asText());
        assertThat(env(registry.config(repository, manifest))).contains("FUNCTION_CLASS=com.acme.Loud",
                "FUNCTION_DEPS_DIR=/function-deps");
        assertThat(BlobFiles.of(registry.blob(repository, layer(data, "dependencies").path("digest").asText())))
                .containsKeys("function-deps/text-shout-1.0.jar", "function-deps/text-core-1.0.jar");
        assertThat(registry.layerFiles(repository, layer(data, "code").path("digest").asText()))
                .containsKeys("function/classes/com/acme/Loud.class", "function/classes/com/acme/Words.class");
    }

    @Test
    void javaCodeThatMisusesItsDependencyIsCompileErrorWithTheMessage() {
        String id = CloudEvents.newId("jbad");
        byte[] zip = Archives.of().file("Fn.java", "//DEPS " + TestLibraries.SHOUT + "\npublic class Fn {\n"
                + "  public Object handler(java.util.Map<String, Object> e) { return com.acme.text.Shout.whisper(\"x\"); }\n}\n").zip();

        assertFailed(build("global/parser/" + id + ".zip", zip, Map.of()), "CompileError", id).contains("whisper").contains(":3");
    }

    @Test
    void entryPointsAreFoundByRuleOrRefusedListingWhatWasFound() {
        String two = CloudEvents.newId("two");
        assertFailed(build("global/parser/" + two + ".zip", Archives.of().file("a.py", "def handler(e):\n    return 1\n")
                .file("b.py", "def handler(e):\n    return 2\n").zip(), Map.of()), "AmbiguousEntryPoint", two)
                .contains("a.py").contains("b.py");
        String none = CloudEvents.newId("none");
        assertFailed(build("global/parser/" + none + ".zip", Archives.of().file("util.py", "X = 1\n").zip(), Map.of()),
                "EntryPointNotFound", none).contains("util.py");
        String java = CloudEvents.newId("jtwo");
        assertFailed(build("global/parser/" + java + ".zip", Archives.of()
                .file("A.java", "public class A { public Object handler(java.util.Map<String,Object> e) { return e; } }")
                .file("B.java", "public class B { public Object handler(java.util.Map<String,Object> e) { return e; } }").zip(),
                Map.of()), "AmbiguousEntryPoint", java).contains("A").contains("B");
        String one = CloudEvents.newId("one");
        completed(build("global/parser/" + one + ".zip", Archives.of().file("util.py", "X = 1\n")
                .file("app.py", "import util\n\ndef handler(e):\n    return {'x': util.X}\n").zip(), Map.of()));
    }

    @Test
    void unsafeArchivesBadManifestsAndUninstallableDependenciesAreFailedBuildsNamingTheCulprit() {
        String slip = CloudEvents.newId("slip");
        assertFailed(build("global/parser/" + slip + ".zip", Archives.of().file("main.py", "x")
                .file("../../home/builder/.bashrc", "evil").zip(), Map.of()), "InvalidArchive", slip)
                .contains("../../home/builder/.bashrc");
        String manifest = CloudEvents.newId("yaml");
        assertFailed(build("global/parser/" + manifest + ".zip", Archives.of().file("main.py", "def handler(e):\n    return e\n")
                .file("function.yaml", "max-scale: lots\n").zip(), Map.of()), "InvalidManifest", manifest).contains("max-scale");
        String source = CloudEvents.newId("sdist");
        assertFailed(build("global/parser/" + source + ".zip", Archives.of().file("main.py", "def handler(e):\n    return e\n")
                .file("requirements.txt", "srconly==1.0\n").zip(), Map.of()), "DependencyNotInstallable", source)
                .contains("srconly").contains("source distribution");
        String lying = CloudEvents.newId("lying");
        assertFailed(build("global/parser/" + lying + ".zip", "def handler(e):\n    return e\n".getBytes(), Map.of()),
                "InvalidArchive", lying).contains("not a zip archive");
    }

    private static List<String> env(JsonNode config) {
        return StreamSupport.stream(config.path("config").path("Env").spliterator(), false).map(JsonNode::asText).toList();
    }
}
