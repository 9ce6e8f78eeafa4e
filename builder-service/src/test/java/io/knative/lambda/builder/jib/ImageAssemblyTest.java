package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.image.Image;
import com.google.cloud.tools.jib.image.ReferenceLayer;
import com.google.cloud.tools.jib.image.json.HistoryEntry;
import com.google.cloud.tools.jib.image.json.V22ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;

import io.knative.lambda.builder.core.ImageLayer;

/** A function image's configuration and manifest from its base and layers, without a registry. */
class ImageAssemblyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Image base() throws Exception {
        return Image.builder(V22ManifestTemplate.class).setArchitecture("amd64").setOs("linux")
                .addEnvironmentVariable("PATH", "/usr/bin").addEnvironmentVariable("RUNTIME", "base")
                .setEntrypoint(List.of("/usr/bin/python3", "-m", "klambda_runtime")).setUser("1000")
                .addLayer(new ReferenceLayer(new BlobDescriptor(10, digest('b')), digest('d')))
                .addHistory(HistoryEntry.builder().setCreatedBy("base layer").build()).build();
    }

    private static DescriptorDigest digest(char c) throws Exception {
        return DescriptorDigest.fromHash(String.valueOf(c).repeat(64));
    }

    private static LayerBlob code(Path work, String source) throws Exception {
        return LayerBlob.of(new ImageLayer.Files("code", Map.of("/function/handler.py",
                source.getBytes(StandardCharsets.UTF_8))), work);
    }

    private static ImageAssembly.Assembled assemble(Path work, String source, Map<String, String> env) throws Exception {
        return ImageAssembly.assemble(base(), List.of(code(work.resolve(source.length() + "-" + env.size()), source)), env,
                Map.of("io.knative.lambda.function-id", "f"), Instant.EPOCH);
    }

    @Test
    void theSameInputGivesTheSameDigestAndAnotherSourceAnother(@TempDir Path work) throws Exception {
        Map<String, String> env = Map.of("FUNCTION_FILE", "handler.py");

        ImageAssembly.Assembled one = assemble(work.resolve("a"), "def handler(e):\n    return e\n", env);
        ImageAssembly.Assembled two = assemble(work.resolve("b"), "def handler(e):\n    return e\n", env);
        ImageAssembly.Assembled other = assemble(work.resolve("c"), "def handler(e):\n    return 2\n", env);

        assertThat(two.digest()).isEqualTo(one.digest());
        assertThat(two.config()).isEqualTo(one.config());
        assertThat(other.digest()).isNotEqualTo(one.digest());
    }

    @Test
    void theFunctionLayerComesAfterTheBaseLayersAndTheManifestNamesTheConfig(@TempDir Path work) throws Exception {
        LayerBlob code = code(work, "def handler(e):\n    return e\n");

        ImageAssembly.Assembled image = ImageAssembly.assemble(base(), List.of(code), Map.of(), Map.of(), Instant.EPOCH);

        JsonNode manifest = JSON.readTree(JsonTemplateMapper.toByteArray(image.manifest()));
        assertThat(manifest.path("layers")).hasSize(2);
        assertThat(manifest.path("layers").get(0).path("digest").asText()).isEqualTo(digest('b').toString());
        assertThat(manifest.path("layers").get(1).path("digest").asText()).isEqualTo(code.descriptor().getDigest().toString());
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(image.configDescriptor().getDigest().toString());
        assertThat(manifest.path("config").path("size").asLong()).isEqualTo(image.config().length);
        JsonNode config = JSON.readTree(image.config());
        assertThat(config.path("rootfs").path("diff_ids").get(1).asText()).isEqualTo(code.diffId().toString());
        assertThat(config.path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void theFunctionsVariablesWinOverTheBasesAndTheBasesEntrypointAndUserAreKept(@TempDir Path work) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RUNTIME", "function");
        env.put("FUNCTION_FILE", "handler.py");

        JsonNode config = JSON.readTree(assemble(work, "def handler(e):\n    return e\n", env).config());

        assertThat(config.path("config").path("Env")).extracting(JsonNode::asText)
                .containsExactly("PATH=/usr/bin", "RUNTIME=function", "FUNCTION_FILE=handler.py");
        assertThat(config.path("config").path("Entrypoint")).extracting(JsonNode::asText)
                .containsExactly("/usr/bin/python3", "-m", "klambda_runtime");
        assertThat(config.path("config").path("User").asText()).isEqualTo("1000");
        assertThat(config.path("config").path("Labels").path("io.knative.lambda.function-id").asText()).isEqualTo("f");
    }

    @Test
    void eachFunctionLayerHasAHistoryEntryNamingIt(@TempDir Path work) throws Exception {
        JsonNode history = JSON.readTree(assemble(work, "x = 1\n", Map.of()).config()).path("history");

        assertThat(history).hasSize(2);
        assertThat(history.get(0).path("created_by").asText()).isEqualTo("base layer");
        assertThat(history.get(1).path("comment").asText()).isEqualTo("code");
        assertThat(history.get(1).path("author").asText()).isEqualTo("Jib");
    }
}
