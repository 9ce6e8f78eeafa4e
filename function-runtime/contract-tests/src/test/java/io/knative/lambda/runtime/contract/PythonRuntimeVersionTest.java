package io.knative.lambda.runtime.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The Python runtime promises Python 3.9+: its source must parse with the 3.9 grammar (no match statement, no
 * parenthesised context managers, ...). The contract suite itself runs on another interpreter with
 * {@code -Dklambda.runtime.python-executable=...} (function-runtime/README.md, "Tests").
 */
class PythonRuntimeVersionTest {

    private static final String CHECK = String.join("\n",
            "import ast, sys",
            "source = open(sys.argv[1], encoding='utf-8').read()",
            "try:",
            "    ast.parse(source, filename=sys.argv[1], feature_version=(3, 9))",
            "except SyntaxError as e:",
            "    print('%s:%s: %s' % (e.filename, e.lineno, e.msg))",
            "    sys.exit(1)",
            "print('ok')");

    @Test
    void theRuntimeParsesWithThePython39Grammar() throws Exception {
        assertThat(parsesWith39Grammar(RuntimeKind.requiredFile("klambda.runtime.python"))).isEqualTo("ok");
    }

    @Test
    void theCheckRejectsSyntaxNewerThan39() throws Exception {
        Path newer = Files.createTempFile("klambda-py310-", ".py");
        try {
            Files.writeString(newer, "def handler(event):\n    match event:\n        case _:\n            return {}\n");
            assertThat(parsesWith39Grammar(newer)).startsWith(newer + ":").isNotEqualTo("ok");
        } finally {
            Files.deleteIfExists(newer);
        }
    }

    private static String parsesWith39Grammar(Path file) throws Exception {
        Process p = new ProcessBuilder(List.of(RuntimeKind.pythonExecutable(), "-c", CHECK, file.toString()))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python3 answered").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
