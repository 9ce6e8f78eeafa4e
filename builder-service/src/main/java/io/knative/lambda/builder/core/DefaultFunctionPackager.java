package io.knative.lambda.builder.core;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;

/**
 * The function layer: the source under {@code /function/<file name as uploaded>}, plus, for Java, its
 * classes under {@code /function/classes}. Tells the runtime the file ({@code FUNCTION_FILE}) and, for
 * Java, the class ({@code FUNCTION_CLASS}).
 */
public final class DefaultFunctionPackager implements FunctionPackager {

    /** Where the function lives in the image. */
    public static final String FUNCTION_DIR = "/function";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Optional<JavaSourceCompiler> javaCompiler;

    public DefaultFunctionPackager(Optional<JavaSourceCompiler> javaCompiler) {
        this.javaCompiler = javaCompiler;
    }

    @Override
    public FunctionPackage pack(FunctionKey key, FunctionRuntime runtime, SourceObject source) throws BuildException {
        String handler = source.metadata().get("handler");
        if (handler != null && !IDENTIFIER.matcher(handler).matches()) {
            throw new BuildException(FailureReason.INVALID_EVENT,
                    "object metadata handler='" + handler + "' is not a function name (letters, digits, '_')");
        }
        Map<String, byte[]> files = new TreeMap<>();
        Map<String, String> env = new TreeMap<>();
        files.put(FUNCTION_DIR + "/" + key.fileName(), source.bytes());
        env.put("FUNCTION_FILE", key.fileName());
        if (runtime == FunctionRuntime.JAVA) {
            JavaSourceCompiler compiler = javaCompiler.orElseThrow(() -> new BuildException(
                    FailureReason.UNSUPPORTED_RUNTIME, "this builder has no Java compiler"));
            JavaSourceCompiler.CompiledJava compiled = compiler.compile(key.fileName(), source.bytes());
            compiled.classFiles().forEach((path, bytes) -> files.put(FUNCTION_DIR + "/classes/" + path, bytes));
            env.put("FUNCTION_CLASS", compiled.className());
        }
        return new FunctionPackage(files, env);
    }
}
