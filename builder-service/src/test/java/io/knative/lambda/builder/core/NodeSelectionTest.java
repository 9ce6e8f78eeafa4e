package io.knative.lambda.builder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.knative.lambda.builder.archive.ArchiveLimits;
import io.knative.lambda.builder.archive.Archives;
import io.knative.lambda.builder.archive.UploadReader;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;

/** Which uploads are Node.js functions, and which file of a Node.js archive holds the handler: by rule, never guessed. */
class NodeSelectionTest {

    private static final String CJS = "exports.handler = (event) => ({ ok: true });\n";
    private static final String ESM = "export async function handler(event) {\n  return { ok: true };\n}\n";
    private final UploadReader reader = new UploadReader(new ArchiveLimits(100, 1 << 20, 100));

    private FunctionSource read(String key, byte[] bytes) throws Exception {
        return reader.read(FunctionKey.parse(key), new SourceObject(bytes, Map.of(), null));
    }

    private FunctionRuntime select(String key, byte[] bytes, Map<String, String> metadata) throws Exception {
        return RuntimeSelector.select(FunctionKey.parse(key), read(key, bytes), metadata);
    }

    private String entry(Archives archive) throws Exception {
        return entry(archive, "handler");
    }

    private String entry(Archives archive, String handler) throws Exception {
        return NodeEntryPoint.file("fn.zip", read("global/parser/fn.zip", archive.zip()), handler);
    }

    @ParameterizedTest
    @ValueSource(strings = { "parser.js", "parser.mjs", "parser.cjs", "PARSER.JS" })
    void aSingleJavaScriptFileSelectsNode(String name) throws Exception {
        assertThat(select("global/parser/" + name.toLowerCase(), CJS.getBytes(), Map.of())).isEqualTo(FunctionRuntime.NODE);
    }

    @Test
    void runtimeNodeInMetadataSelectsNodeForAFileWithoutExtension() throws Exception {
        assertThat(select("global/parser/fn", CJS.getBytes(), Map.of("runtime", "node"))).isEqualTo(FunctionRuntime.NODE);
    }

    @Test
    void anArchiveOfJavaScriptAndPackageJsonIsNodeAndInstalledPackagesDoNotCount() throws Exception {
        assertThat(select("global/parser/fn.zip", Archives.of().file("index.js", CJS).file("lib/util.mjs", ESM)
                .file("package.json", "{}").zip(), Map.of())).isEqualTo(FunctionRuntime.NODE);
        assertThat(select("global/parser/fn.tgz", Archives.of().file("main.py", "def handler(e):\n    return e\n")
                .file("node_modules/left-pad/index.js", CJS).tarGz(), Map.of())).isEqualTo(FunctionRuntime.PYTHON);
    }

    @Test
    void anArchiveMixingPythonAndJavaScriptIsAmbiguousUnlessFunctionYamlOrMetadataSaysWhich() throws Exception {
        Archives mixed = Archives.of().file("index.js", CJS).file("main.py", "def handler(e):\n    return e\n");
        BuildException e = catchThrowableOfType(BuildException.class, () -> select("global/parser/fn.zip", mixed.zip(), Map.of()));
        assertThat(e.reason().code()).isEqualTo("AmbiguousEntryPoint");
        assertThat(e).hasMessageContaining("index.js").hasMessageContaining("main.py").hasMessageContaining("runtime: python|java|node");

        assertThat(select("global/parser/fn.zip", mixed.file("function.yaml", "runtime: node\n").zip(), Map.of()))
                .isEqualTo(FunctionRuntime.NODE);
        assertThat(select("global/parser/fn.zip", mixed.zip(), Map.of("runtime", "python"))).isEqualTo(FunctionRuntime.PYTHON);
    }

    @Test
    void anArchiveWithOnlyAPackageJsonHasNoEntryPoint() throws Exception {
        BuildException e = catchThrowableOfType(BuildException.class, () -> select("global/parser/fn.zip",
                Archives.of().file("package.json", "{}").zip(), Map.of()));
        assertThat(e.reason().code()).isEqualTo("EntryPointNotFound");
        assertThat(e).hasMessageContaining("package.json");
    }

    @Test
    void functionYamlEntryFileComesFirstAndMustBeAJavaScriptFileOfTheArchive() throws Exception {
        Archives archive = Archives.of().file("index.js", CJS).file("src/app.mjs", ESM);
        assertThat(entry(archive.file("function.yaml", "entry: {file: src/app.mjs}\n"))).isEqualTo("src/app.mjs");

        InvalidManifestException e = catchThrowableOfType(InvalidManifestException.class,
                () -> entry(Archives.of().file("index.js", CJS).file("function.yaml", "entry: {file: nothere.js}\n")));
        assertThat(e).hasMessageContaining("entry.file").hasMessageContaining("nothere.js");
    }

    @Test
    void packageJsonMainIsResolvedAsNodeResolvesIt() throws Exception {
        Archives archive = Archives.of().file("index.js", CJS).file("lib/app.js", CJS);
        assertThat(entry(archive.file("package.json", "{\"main\": \"./lib/app\"}"))).isEqualTo("lib/app.js");

        BuildException e = catchThrowableOfType(BuildException.class,
                () -> entry(Archives.of().file("index.js", CJS).file("package.json", "{\"main\": \"server.js\"}")));
        assertThat(e.reason().code()).isEqualTo("EntryPointNotFound");
        assertThat(e).hasMessageContaining("server.js");

        InvalidManifestException bad = catchThrowableOfType(InvalidManifestException.class,
                () -> entry(Archives.of().file("index.js", CJS).file("package.json", "{\"main\": ")));
        assertThat(bad).hasMessageStartingWith("package.json: (file): is not valid JSON");
    }

    @Test
    void indexJsIsTheEntryWithoutMainElseTheOnlyTopLevelFileExportingTheHandler() throws Exception {
        assertThat(entry(Archives.of().file("index.mjs", ESM).file("util.js", CJS))).isEqualTo("index.mjs");
        assertThat(entry(Archives.of().file("util.js", "module.exports.pad = (s) => s;\n").file("parser.mjs", ESM)))
                .isEqualTo("parser.mjs");
        assertThat(entry(Archives.of().file("util.js", "exports.pad = 1;\n").file("parser.js", "export default (e) => e;\n")))
                .isEqualTo("parser.js");
        assertThat(entry(Archives.of().file("a.js", "export const parse = (e) => e;\n").file("b.js", CJS), "parse"))
                .as("the handler's name from metadata or function.yaml").isEqualTo("a.js");
    }

    @Test
    void severalOrNoFilesExportingTheHandlerAreRefusedListingThem() {
        BuildException two = catchThrowableOfType(BuildException.class,
                () -> entry(Archives.of().file("a.js", CJS).file("b.mjs", ESM)));
        assertThat(two.reason().code()).isEqualTo("AmbiguousEntryPoint");
        assertThat(two).hasMessageContaining("a.js").hasMessageContaining("b.mjs");

        BuildException none = catchThrowableOfType(BuildException.class,
                () -> entry(Archives.of().file("util.js", "exports.pad = 1;\n").file("lib/deep.js", CJS)));
        assertThat(none.reason().code()).isEqualTo("EntryPointNotFound");
        assertThat(none).hasMessageContaining("util.js").hasMessageContaining("entry.file");
    }
}
