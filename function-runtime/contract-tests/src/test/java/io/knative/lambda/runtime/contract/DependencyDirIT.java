package io.knative.lambda.runtime.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.knative.lambda.runtime.compiler.JavaFunctionCompiler;
import io.restassured.response.Response;

/**
 * The dependency layer, as the builder ships it: a function imports a module that is not beside it but in
 * {@code FUNCTION_DEPS_DIR} (Python packages, Java jars), or in {@code FUNCTION_DIR/node_modules} (Node.js), and answers
 * with a value that module computed.
 */
class DependencyDirIT {

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFunctionImportsAModuleFromItsDependencyFolder(RuntimeKind kind) throws Exception {
        Path function = Files.createDirectories(work.resolve("function"));
        Path deps = Files.createDirectories(work.resolve("function-deps"));
        Map<String, String> env = layOut(kind, function, deps);

        try (FunctionProcess p = FunctionProcess.start(kind, RuntimeKind.Function.PARSER, "deps-fn", env)) {
            Response r = ContractIT.to(p).contentType("application/json").body("{\"name\":\"ada\"}").post("/");

            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(ContractIT.parse(r)).containsEntry("greeting", "hello ada from the dependency");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RuntimeKind.class, names = {"PYTHON", "JAVA"})
    void aDependencyFolderThatIsNotThereStopsTheStartWithItsName(RuntimeKind kind) throws Exception {
        Path function = Files.createDirectories(work.resolve("function"));
        Map<String, String> env = layOut(kind, function, Files.createDirectories(work.resolve("function-deps")));
        env.put("FUNCTION_DEPS_DIR", work.resolve("missing-deps").toString());

        try (FunctionProcess p = FunctionProcess.launch(kind, RuntimeKind.Function.PARSER, "deps-missing-fn", env)) {
            int exit = p.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as(p.logText()).isNotZero();
            assertThat(p.logText()).contains("\"msg\":\"cannot load the function\"").contains("missing-deps");
        }
    }

    @Test
    void pythonPutsTheFunctionsOwnModulesBeforeItsDependencies() throws Exception {
        Path function = Files.createDirectories(work.resolve("function"));
        Path deps = Files.createDirectories(work.resolve("function-deps"));
        Map<String, String> env = layOut(RuntimeKind.PYTHON, function, deps);
        Files.writeString(function.resolve("greeting_lib.py"), "def greet(name):\n    return 'own ' + name\n");

        try (FunctionProcess p = FunctionProcess.start(RuntimeKind.PYTHON, RuntimeKind.Function.PARSER, "deps-own-fn", env)) {
            Response r = ContractIT.to(p).contentType("application/json").body("{\"name\":\"ada\"}").post("/");
            assertThat(ContractIT.parse(r)).containsEntry("greeting", "own ada");
        }
    }

    /** Writes the function and its dependency for {@code kind}; returns the environment the builder would set. */
    private static Map<String, String> layOut(RuntimeKind kind, Path function, Path deps) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FUNCTION_DIR", function.toString());
        switch (kind) {
            case PYTHON, PYTHON_EVENT_LOOP -> {
                Path lib = Files.createDirectories(deps.resolve("greeting_lib"));
                Files.writeString(lib.resolve("__init__.py"),
                        "def greet(name):\n    return 'hello ' + name + ' from the dependency'\n");
                Files.writeString(function.resolve("main.py"),
                        "from greeting_lib import greet\n\ndef handler(event):\n    return {'greeting': greet(event['name'])}\n");
                env.put("FUNCTION_FILE", "main.py");
                env.put("FUNCTION_DEPS_DIR", deps.toString());
                if (kind == RuntimeKind.PYTHON_EVENT_LOOP) {
                    env.put("FUNCTION_EXECUTION", "event-loop");
                }
            }
            case JAVA -> {
                JavaFunctionCompiler compiler = new JavaFunctionCompiler();
                Map<String, byte[]> library = compiler.compileAll(new TreeMap<>(Map.of("greeting/Greeter.java", """
                        package greeting;
                        public final class Greeter {
                            public static String greet(String name) { return "hello " + name + " from the dependency"; }
                        }
                        """.getBytes(StandardCharsets.UTF_8))), List.of());
                Path jar = deps.resolve("greeting-1.0.jar");
                writeJar(jar, library);
                String source = """
                        import java.util.Map;
                        public class Hello {
                            public Map<String, Object> handler(Map<String, Object> event) {
                                return Map.of("greeting", greeting.Greeter.greet((String) event.get("name")));
                            }
                        }
                        """;
                compiler.compile("Hello.java", source.getBytes(StandardCharsets.UTF_8), List.of(jar))
                        .writeTo(function.resolve("classes"));
                env.put("FUNCTION_CLASS", "Hello");
                env.put("FUNCTION_DEPS_DIR", deps.toString());
            }
            case NODE -> {
                // Node's dependency layer lands in FUNCTION_DIR/node_modules: ES modules do not read NODE_PATH
                Path lib = Files.createDirectories(function.resolve("node_modules/greeting-lib"));
                Files.writeString(lib.resolve("package.json"), "{\"name\":\"greeting-lib\",\"version\":\"1.0.0\",\"main\":\"index.js\"}");
                Files.writeString(lib.resolve("index.js"),
                        "exports.greet = (name) => 'hello ' + name + ' from the dependency';\n");
                Files.writeString(function.resolve("main.mjs"),
                        "import { greet } from 'greeting-lib';\nexport function handler(event) { return { greeting: greet(event.name) }; }\n");
                env.put("FUNCTION_FILE", "main.mjs");
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        return env;
    }

    private static void writeJar(Path jar, Map<String, byte[]> classFiles) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : classFiles.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue());
                j.closeEntry();
            }
        }
    }
}
