package io.knative.lambda.localcluster.process;

import java.util.List;

/**
 * How local mode starts each runtime as a host process: the same runtimes the function images carry.
 *
 * @param python           the command of the Python runtime, e.g. {@code python3 -u function-runtime/python/klambda_local.py}
 * @param java             the command of the Java runtime, e.g. {@code java -jar function-runtime/java/target/quarkus-app/quarkus-run.jar}
 * @param pythonForkServer Python functions are forked by the runtime's fork server ({@link PythonForkServer})
 *                         instead of each starting an interpreter
 */
public record LocalRuntimes(List<String> python, List<String> java, boolean pythonForkServer) {

    /** Both commands, Python functions forked by the fork server. */
    public LocalRuntimes(List<String> python, List<String> java) {
        this(python, java, true);
    }

    /** The command for {@code FUNCTION_RUNTIME}. */
    public List<String> command(String runtime) {
        return "java".equals(runtime) ? java : python;
    }
}
