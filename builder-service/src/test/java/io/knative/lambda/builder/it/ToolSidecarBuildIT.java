package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.ArchiveBuildIT.completed;
import static io.knative.lambda.builder.it.ArchiveBuildIT.layer;
import static io.knative.lambda.builder.it.BuilderIT.assertFailed;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.builder.archive.Archives;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The packaged builder configured as on a cluster ({@code klambda.tools.python-url}/{@code node-url}, no python3, npm or
 * node of its own): builds of functions with dependencies go through the real tool servers and the pushed images carry
 * the dependencies; a Node syntax error is still a CompileError with its line.
 */
@QuarkusTest
@WithTestResource(ToolSidecarServers.class)
class ToolSidecarBuildIT {

    private final RegistryReader registry = new RegistryReader(BuilderServers.registry.host());

    @Test
    void aPythonArchiveWithRequirementsIsBuiltThroughThePythonSidecarAndItsImageHasTheDependencies() throws Exception {
        String id = CloudEvents.newId("spy");
        byte[] zip = Archives.of().file("main.py", "from greeting import greet\n\ndef handler(event):\n    return greet('x')\n")
                .file("requirements.txt", "greeting==1.0\n").zip();

        JsonNode data = completed(ArchiveBuildIT.build("global/parser/" + id + ".zip", zip, Map.of()));

        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        Map<String, String> deps = BlobFiles.of(registry.blob(repository, layer(data, "dependencies").path("digest").asText()));
        assertThat(deps).containsKeys("function-deps/greeting.py", "function-deps/shout.py");
        assertThat(ToolSidecarServers.python.logText()).contains("\"POST /run HTTP/1.1\" 200");
    }

    @Test
    void aNodeArchiveWithPackageJsonIsCheckedAndInstalledThroughTheNodeSidecar() throws Exception {
        String id = CloudEvents.newId("snode");
        String pkg = "{\"name\":\"greeter\",\"version\":\"1.0.0\",\"dependencies\":{\"greeting-lib\":\"^1.2.0\"}}";
        String lock = NodeBuildServers.npm.lock(pkg, Files.createTempDirectory("npm-lock-"));
        byte[] zip = Archives.of().file("index.js", "const { greet } = require('greeting-lib');\nexports.handler = (e) => greet('x');\n")
                .file("package.json", pkg).file("package-lock.json", lock).zip();

        JsonNode data = completed(ArchiveBuildIT.build("global/parser/" + id + ".zip", zip, Map.of()));

        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        assertThat(BlobFiles.of(registry.blob(repository, layer(data, "dependencies").path("digest").asText())))
                .containsKeys("function/node_modules/greeting-lib/index.js", "function/node_modules/shout-lib/index.js");
        assertThat(ToolSidecarServers.node.logText()).contains("POST /run 200");
    }

    @Test
    void aNodeSyntaxErrorFoundByTheSidecarIsCompileErrorWithTheLine() {
        String id = CloudEvents.newId("ssyn");
        byte[] bad = "exports.handler = (event) => {\n  const x = {;\n  return x;\n};\n".getBytes(StandardCharsets.UTF_8);

        assertFailed(ArchiveBuildIT.build("global/parser/" + id + ".js", bad, Map.of()), "CompileError", id)
                .contains(id + ".js:2").contains("SyntaxError");
    }
}
