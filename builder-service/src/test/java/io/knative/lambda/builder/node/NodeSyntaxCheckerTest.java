package io.knative.lambda.builder.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.FunctionFiles;

/** {@code node --check} on the builder's Node.js: syntax errors with file and line, ES modules as ES modules, no code run. */
class NodeSyntaxCheckerTest {

    private final NodeSyntaxChecker checker = new NodeSyntaxChecker("node", Duration.ofSeconds(30));

    private static FunctionFiles files(String... pathsAndTexts) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            files.put(pathsAndTexts[i], pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new FunctionFiles(new TreeMap<>(files));
    }

    private BuildException failure(FunctionFiles files, List<String> sources) {
        return catchThrowableOfType(BuildException.class, () -> checker.check(files, sources));
    }

    @Test
    void aSyntaxErrorIsCompileErrorNamingTheFileTheLineAndNodesMessage() {
        BuildException e = failure(files("parser.js", "const a = 1;\nfunction f( {\n  return 2;\n}\n"), List.of("parser.js"));

        assertThat(e.reason().code()).isEqualTo("CompileError");
        assertThat(e.getMessage()).startsWith("parser.js:3: SyntaxError:").contains("return 2;").contains("^")
                .doesNotContain("klambda-node-check");
    }

    @Test
    void theFailingFileOfAnArchiveIsNamedByItsPathInTheArchive() {
        BuildException e = failure(files("index.js", "exports.handler = () => 1;\n", "lib/bad.js", "\n\nlet = ;\n"),
                List.of("index.js", "lib/bad.js"));

        assertThat(e.getMessage()).startsWith("lib/bad.js:3: SyntaxError");
    }

    @Test
    void esModulesAreCheckedAsModulesByExtensionPackageTypeOrSyntax() {
        String esm = "import { readFileSync } from 'node:fs';\nexport async function handler(e) {\n  return await e;\n}\n";
        assertThatCode(() -> checker.check(files("a.mjs", esm), List.of("a.mjs"))).doesNotThrowAnyException();
        assertThatCode(() -> checker.check(files("package.json", "{\"type\":\"module\"}", "a.js", esm), List.of("a.js")))
                .doesNotThrowAnyException();
        assertThatCode(() -> checker.check(files("a.js", esm), List.of("a.js"))).as("detected as ESM by its syntax")
                .doesNotThrowAnyException();
        assertThatCode(() -> checker.check(files("a.cjs", "module.exports = { handler: (e) => e };\n"), List.of("a.cjs")))
                .doesNotThrowAnyException();

        BuildException e = failure(files("m.mjs", "export const x = 1;\nconst y = await;\n"), List.of("m.mjs"));
        assertThat(e.getMessage()).startsWith("m.mjs:2: SyntaxError");
    }

    @Test
    void checkingRunsNoneOfTheFunctionsCode(@TempDir Path marker) throws Exception {
        Path ran = marker.resolve("ran");
        String code = "require('fs').writeFileSync(" + quote(ran) + ", 'x');\nexports.handler = (e) => e;\n";

        checker.check(files("index.js", code), List.of("index.js"));

        assertThat(Files.exists(ran)).isFalse();
    }

    @Test
    void aBuilderWithoutNodeFailsTheBuildAsUnsupportedRuntimeNamingTheSetting() {
        NodeSyntaxChecker none = new NodeSyntaxChecker("/nonexistent/node", Duration.ofSeconds(5));

        BuildException e = catchThrowableOfType(BuildException.class,
                () -> none.check(files("index.js", "exports.handler = (e) => e;\n"), List.of("index.js")));

        assertThat(e.reason().code()).isEqualTo("UnsupportedRuntime");
        assertThat(e).hasMessageContaining("/nonexistent/node").hasMessageContaining("klambda.node.executable");
        assertThat(none.version()).startsWith("missing");
        assertThat(checker.version()).startsWith("v");
    }

    private static String quote(Path p) {
        return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
