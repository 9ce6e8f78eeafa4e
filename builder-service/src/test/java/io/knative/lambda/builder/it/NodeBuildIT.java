package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.BuilderIT.assertFailed;
import static io.knative.lambda.builder.it.ArchiveBuildIT.completed;
import static io.knative.lambda.builder.it.ArchiveBuildIT.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.builder.archive.Archives;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Node.js functions through the packaged builder against a real registry and an npm registry on loopback: the guide's
 * parser.js, an archive whose package-lock.json becomes a node_modules layer pushed once, syntax errors and npm failures
 * as a user gets them back.
 */
@QuarkusTest
@WithTestResource(NodeBuildServers.class)
class NodeBuildIT {

    private static final String INDEX = "const { greet } = require('greeting-lib');\n\n"
            + "exports.handler = async (event) => ({ greeting: greet(event.name || 'world') });\n";
    private static final String PACKAGE = "{\"name\":\"greeter\",\"version\":\"1.0.0\",\"dependencies\":{\"greeting-lib\":\"^1.2.0\"}}";
    private final RegistryReader registry = new RegistryReader(BuilderServers.registry.host());

    private static Response build(String key, byte[] bytes) {
        return ArchiveBuildIT.build(key, bytes, Map.of());
    }

    private static Archives greeter(String index) throws Exception {
        String lock = NodeBuildServers.npm.lock(PACKAGE, Files.createTempDirectory("npm-lock-"));
        return Archives.of().file("index.js", index).file("package.json", PACKAGE).file("package-lock.json", lock);
    }

    private List<String> env(String repository, JsonNode data) throws Exception {
        JsonNode config = registry.config(repository, registry.manifest(repository, data.path("digest").asText()));
        return StreamSupport.stream(config.path("config").path("Env").spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void theGuidesParserJsIsANodeFunctionImage() throws Exception {
        String id = CloudEvents.newId("pjs");
        byte[] parser = Files.readAllBytes(Path.of("../examples/parser.js"));

        JsonNode data = completed(build("global/parser/" + id + ".js", parser));

        assertThat(data.path("runtime").asText()).isEqualTo("node");
        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        assertThat(env(repository, data)).contains("FUNCTION_RUNTIME=node", "FUNCTION_FILE=" + id + ".js", "FUNCTION_DIR=/function")
                .noneMatch(e -> e.startsWith("FUNCTION_DEPS_DIR="));
        assertThat(registry.layerFiles(repository, layer(data, "code").path("digest").asText()))
                .containsOnlyKeys("function/" + id + ".js");
    }

    @Test
    void aLockedArchiveGetsANodeModulesLayerThatACodeOnlyChangeReuses() throws Exception {
        String id = CloudEvents.newId("njs");
        String key = "global/parser/" + id + ".zip";
        JsonNode first = completed(build(key, greeter(INDEX).zip()));

        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        String dependencies = layer(first, "dependencies").path("digest").asText();
        assertThat(layer(first, "dependencies").path("reused").asBoolean()).isFalse();
        assertThat(BlobFiles.of(registry.blob(repository, dependencies))).containsKeys(
                "function/node_modules/greeting-lib/index.js", "function/node_modules/shout-lib/index.js");
        assertThat(registry.layerFiles(repository, layer(first, "code").path("digest").asText()))
                .containsKeys("function/index.js", "function/package.json", "function/package-lock.json");
        assertThat(env(repository, first)).contains("FUNCTION_RUNTIME=node", "FUNCTION_FILE=index.js");
        Set<String> before = BuilderServers.registry.blobDigests();

        JsonNode second = completed(build(key, greeter(INDEX.replace("'world'", "'there'")).zip()));

        assertThat(layer(second, "dependencies").path("reused").asBoolean()).isTrue();
        assertThat(layer(second, "dependencies").path("digest").asText()).isEqualTo(dependencies);
        Set<String> added = new HashSet<>(BuilderServers.registry.blobDigests());
        added.removeAll(before);
        assertThat(added).as("only the code layer, the config and the manifest are new").hasSize(3)
                .contains(layer(second, "code").path("digest").asText(), second.path("digest").asText())
                .doesNotContain(dependencies);
    }

    @Test
    void aSyntaxErrorIsCompileErrorWithTheFileAndLine() {
        String id = CloudEvents.newId("nsyn");
        byte[] bad = "exports.handler = (event) => {\n  const x = {;\n  return x;\n};\n".getBytes(StandardCharsets.UTF_8);

        assertFailed(build("global/parser/" + id + ".js", bad), "CompileError", id).contains(id + ".js:2").contains("SyntaxError");

        String esm = CloudEvents.newId("nesm");
        assertFailed(build("global/parser/" + esm + ".tgz", Archives.of().file("package.json", "{\"type\":\"module\"}")
                .file("index.js", "export async function handler(e) { return e; }\n").file("lib/util.js", "export const = 1;\n")
                .tarGz()), "CompileError", esm).contains("lib/util.js:1");
    }

    @Test
    void anUnknownPackageIsDependencyResolutionFailedAndARegistryThatIsDownIsRetried() {
        String id = CloudEvents.newId("nunk");
        assertFailed(build("global/parser/" + id + ".zip", Archives.of().file("index.js", INDEX).file("package.json",
                "{\"dependencies\":{\"no-such-lib\":\"^1.0.0\"}}").zip()), "DependencyResolutionFailed", id).contains("no-such-lib");

        String down = CloudEvents.newId("ndown");
        NodeBuildServers.npm.unavailable(true);
        try {
            Response reply = build("global/parser/" + down + ".zip", Archives.of().file("index.js", INDEX).file("package.json",
                    "{\"dependencies\":{\"later-lib\":\"1.0.0\"}}").zip());
            reply.then().statusCode(503).header("Retry-After", "5").body("error", equalTo("DependencyIndexUnavailable"));
            assertThat(reply.header("ce-type")).as("no reply event").isNull();
        } finally {
            NodeBuildServers.npm.unavailable(false);
        }
    }
}
