package io.knative.lambda.localcluster.process;

import java.util.List;

/**
 * How local mode starts each runtime as a host process: the same runtimes the function images carry.
 *
 * @param python           the command of the Python runtime, e.g. {@code python3 -u function-runtime/python/klambda_local.py}
 * @param java             the command of the Java runtime, e.g. {@code java -jar function-runtime/java/target/runtime-app/klambda-runtime.jar}
 * @param pythonForkServer Python functions are forked by the runtime's fork server ({@link PythonForkServer})
 *                         instead of each starting an interpreter
 * @param node             the command of the Node.js runtime, e.g. {@code node function-runtime/node/klambda_runtime.js}
 */
public record LocalRuntimes(List<String> python, List<String> java, boolean pythonForkServer, List<String> node) {

    /** The default Node.js runtime command, relative to the repository's root. */
    public static final List<String> NODE = List.of("node", "function-runtime/node/klambda_runtime.js");

    /** Python and Java commands, Python forked by the fork server when {@code pythonForkServer}, Node.js by default. */
    public LocalRuntimes(List<String> python, List<String> java, boolean pythonForkServer) {
        this(python, java, pythonForkServer, NODE);
    }

    /** Both commands, Python functions forked by the fork server. */
    public LocalRuntimes(List<String> python, List<String> java) {
        this(python, java, true);
    }

    /** The command for {@code FUNCTION_RUNTIME}. */
    public List<String> command(String runtime) {
        return switch (String.valueOf(runtime)) {
            case "java" -> java;
            case "node" -> node;
            default -> python;
        };
    }

    /** Whether functions of {@code runtime} are forked by the Python fork server. */
    boolean forked(String runtime) {
        return pythonForkServer && command(runtime) == python;
    }
}
