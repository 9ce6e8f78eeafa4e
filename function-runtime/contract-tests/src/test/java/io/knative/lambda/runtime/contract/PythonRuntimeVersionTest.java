package io.knative.lambda.runtime.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The Python runtime promises Python 3.9+: every file of function-runtime/python (the runtime package, local mode's
 * starter, the Python unit tests) must parse with the 3.9 grammar (no match statement, no parenthesised context
 * managers, ...). The contract suite itself runs on another interpreter with
 * {@code -Dklambda.runtime.python-executable=...} (function-runtime/README.md, "Tests").
 */
class PythonRuntimeVersionTest {

    private static final String CHECK = String.join("\n",
            "import ast, sys",
            "bad = 0",
            "for name in sys.argv[1:]:",
            "    try:",
            "        ast.parse(open(name, encoding='utf-8').read(), filename=name, feature_version=(3, 9))",
            "    except SyntaxError as e:",
            "        print('%s:%s: %s' % (e.filename, e.lineno, e.msg))",
            "        bad += 1",
            "print('ok' if not bad else '%d file(s) need a newer Python' % bad)");

    @Test
    void everyPythonFileParsesWithThePython39Grammar() throws Exception {
        Path python = RuntimeKind.pythonPackage().getParent();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(python)) {
            files = walk.filter(f -> f.toString().endsWith(".py") && !f.toString().contains("__pycache__")).sorted().toList();
        }
        assertThat(files).extracting(f -> python.relativize(f).toString().replace('\\', '/'))
                .contains("klambda_runtime/__main__.py", "klambda_runtime/framing.py", "klambda_runtime/eventloop.py",
                        "klambda_local.py");
        assertThat(parsesWith39Grammar(files)).isEqualTo("ok");
    }

    @Test
    void theCheckRejectsSyntaxNewerThan39() throws Exception {
        Path newer = Files.createTempFile("klambda-py310-", ".py");
        try {
            Files.writeString(newer, "def handler(event):\n    match event:\n        case _:\n            return {}\n");
            assertThat(parsesWith39Grammar(List.of(newer))).startsWith(newer + ":").isNotEqualTo("ok");
        } finally {
            Files.deleteIfExists(newer);
        }
    }

    private static String parsesWith39Grammar(List<Path> files) throws Exception {
        List<String> command = new ArrayList<>(List.of(RuntimeKind.pythonExecutable(), "-c", CHECK));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python3 answered").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
