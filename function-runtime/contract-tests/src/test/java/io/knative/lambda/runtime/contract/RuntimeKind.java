package io.knative.lambda.runtime.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.knative.lambda.runtime.compiler.CompiledFunction;
import io.knative.lambda.runtime.compiler.FunctionCompileException;
import io.knative.lambda.runtime.compiler.JavaFunctionCompiler;

/** A runtime under contract test: how to lay out a function folder for it (as the builder does) and how to start it. */
public enum RuntimeKind {

    PYTHON {
        @Override
        Map<String, String> layOut(Function function, Path dir) {
            Map<String, String> env = new HashMap<>();
            env.put("FUNCTION_RUNTIME", "python");
            switch (function) {
                case PARSER -> {
                    // as the guide uploads it: global/parser/<id>, no extension; no FUNCTION_FILE: the runtime finds it
                    copy(Path.of(System.getProperty("test.project.dir", "../.."), "examples", "parser.py"), dir.resolve(PARSER_ID));
                }
                case CONTRACT -> {
                    write("functions/python/contract_function.py", dir.resolve("contract_function.py"));
                    write("functions/python/contract_function.py", dir.resolve("contract_function_copy.py"));
                    env.put("FUNCTION_FILE", "contract_function.py");
                }
                case BROKEN -> write("functions/python/broken_function.py", dir.resolve("broken_function.py"));
                case SLOW -> write("functions/python/slow_function.py", dir.resolve("slow_function.py"));
                default -> throw new IllegalArgumentException(function.name());
            }
            return env;
        }

        @Override
        List<String> command() {
            // as the image's entry point: the package folder run as a script
            return List.of(pythonExecutable(), "-u", pythonPackage().toString());
        }
    },

    /** The Python runtime with FUNCTION_EXECUTION=event-loop: every connection on one selector loop. */
    PYTHON_EVENT_LOOP {
        @Override
        Map<String, String> layOut(Function function, Path dir) {
            Map<String, String> env = PYTHON.layOut(function, dir);
            env.put("FUNCTION_EXECUTION", "event-loop");
            return env;
        }

        @Override
        List<String> command() {
            return PYTHON.command();
        }
    },

    JAVA {
        @Override
        Map<String, String> layOut(Function function, Path dir) {
            Map<String, String> env = new HashMap<>();
            env.put("FUNCTION_RUNTIME", "java");
            String source = switch (function) {
                case PARSER -> "parser.java";
                case CONTRACT -> "contractfunction.java";
                case BROKEN -> "Broken.java";
                case SLOW -> "SlowFunction.java";
            };
            write("functions/java/" + source, dir.resolve(source));
            env.put("FUNCTION_FILE", source);
            try {
                CompiledFunction compiled = new JavaFunctionCompiler().compile(source, Files.readAllBytes(dir.resolve(source)));
                compiled.writeTo(dir.resolve("classes"));
                if (function != Function.PARSER) {
                    // the parser runs without FUNCTION_CLASS: the runtime finds the single class
                    env.put("FUNCTION_CLASS", compiled.className());
                }
            } catch (FunctionCompileException | IOException e) {
                throw new IllegalStateException("cannot compile the test function " + source, e);
            }
            return env;
        }

        @Override
        List<String> command() {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // the flags the image and local mode start it with
            return List.of(java, "@" + requiredFile("klambda.runtime.java-options"), "-jar", requiredFile("klambda.runtime.java").toString());
        }
    },

    /** The Node.js runtime: the contract function is an ES module, the parser the guide's parser.js (CommonJS). */
    NODE {
        @Override
        Map<String, String> layOut(Function function, Path dir) {
            Map<String, String> env = new HashMap<>();
            env.put("FUNCTION_RUNTIME", "node");
            switch (function) {
                // as the guide would upload it: global/parser/<id>.js; no FUNCTION_FILE: the runtime finds it
                case PARSER -> copy(requiredFile("klambda.runtime.node-parser"), dir.resolve(PARSER_ID + ".js"));
                case CONTRACT -> {
                    write("functions/node/contract_function.mjs", dir.resolve("contract_function.mjs"));
                    write("functions/node/contract_function.mjs", dir.resolve("contract_function_copy.mjs"));
                    env.put("FUNCTION_FILE", "contract_function.mjs");
                }
                case BROKEN -> write("functions/node/broken_function.js", dir.resolve("broken_function.js"));
                case SLOW -> write("functions/node/slow_function.mjs", dir.resolve("slow_function.mjs"));
                default -> throw new IllegalArgumentException(function.name());
            }
            return env;
        }

        @Override
        List<String> command() {
            return List.of(System.getProperty("klambda.runtime.node-executable", "node"), requiredFile("klambda.runtime.node").toString());
        }
    };

    /** The id the parser runs under, shaped like the guide's my-parser-$(uuidgen). */
    static final String PARSER_ID = "my-parser-0b7e6c1a";

    /** The test functions every runtime has a version of. */
    enum Function { PARSER, CONTRACT, BROKEN, SLOW }

    /** Writes the function into {@code dir} as the builder would and returns the environment the builder would set. */
    abstract Map<String, String> layOut(Function function, Path dir);

    /** The command that starts the runtime. */
    abstract List<String> command();

    private static String python;

    /**
     * The interpreter: {@code -Dklambda.runtime.python-executable=/path/to/python3.9} to run the suite on another
     * version, else the real python3 (not a version manager's shim, which adds a fork and a shell to every start).
     */
    static synchronized String pythonExecutable() {
        String chosen = System.getProperty("klambda.runtime.python-executable", "");
        if (python == null && !chosen.isBlank()) {
            python = chosen;
        }
        if (python == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                python = p.waitFor() == 0 && !out.isEmpty() ? out : "python3";
            } catch (IOException e) {
                throw new IllegalStateException("python3 is not installed: the Python runtime needs it", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                python = "python3";
            }
        }
        return python;
    }

    /** The Python runtime package (function-runtime/python/klambda_runtime), from {@code klambda.runtime.python}. */
    static Path pythonPackage() {
        String value = System.getProperty("klambda.runtime.python");
        if (value == null || !Files.isRegularFile(Path.of(value, "__main__.py"))) {
            throw new IllegalStateException("system property klambda.runtime.python must name the Python runtime package (got "
                    + value + "); run the suite through Maven: mvn -Pit verify -pl function-runtime/contract-tests -am");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("system property " + property + " must name the runtime (got " + value
                    + "); run the suite through Maven: mvn -Pit verify -pl function-runtime/contract-tests -am");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    static void write(String resource, Path target) {
        try (InputStream in = RuntimeKind.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " is missing");
            }
            Files.copy(in, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copy(Path source, Path target) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("the guide's parser.py is not at " + source + " (examples/parser.py of the checkout)");
        }
        try {
            Files.copy(source, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
