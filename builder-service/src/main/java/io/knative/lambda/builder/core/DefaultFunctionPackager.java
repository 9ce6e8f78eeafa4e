package io.knative.lambda.builder.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;

/**
 * The code layer: the upload's files under {@code /function} (a single file by its name as uploaded, an archive's
 * files by their paths in it), plus, for Java, the classes under {@code /function/classes}. Tells the runtime the file
 * ({@code FUNCTION_FILE}) and, for Java, the class ({@code FUNCTION_CLASS}), found by {@link PythonEntryPoint},
 * {@link NodeEntryPoint} or among the compiled classes. JavaScript is syntax-checked ({@link JavaScriptSyntaxChecker}).
 */
public final class DefaultFunctionPackager implements FunctionPackager {

    /** Where the function lives in the image. */
    public static final String FUNCTION_DIR = "/function";

    private final Optional<JavaSourceCompiler> javaCompiler;
    private final Optional<JavaScriptSyntaxChecker> javaScriptChecker;

    public DefaultFunctionPackager(Optional<JavaSourceCompiler> javaCompiler) {
        this(javaCompiler, Optional.empty());
    }

    public DefaultFunctionPackager(Optional<JavaSourceCompiler> javaCompiler, Optional<JavaScriptSyntaxChecker> javaScriptChecker) {
        this.javaCompiler = javaCompiler;
        this.javaScriptChecker = javaScriptChecker;
    }

    @Override
    public FunctionPackage pack(FunctionKey key, FunctionRuntime runtime, FunctionSource source, String handler,
            List<Path> classpath) throws BuildException {
        Map<String, byte[]> files = new TreeMap<>();
        Map<String, String> env = new TreeMap<>();
        source.files().files().forEach((path, bytes) -> files.put(FUNCTION_DIR + "/" + path, bytes));
        if (runtime == FunctionRuntime.PYTHON) {
            env.put("FUNCTION_FILE", source.archive() ? PythonEntryPoint.file(key.fileName(), source, handler) : key.fileName());
            return new FunctionPackage(files, env);
        }
        if (runtime == FunctionRuntime.NODE) {
            String file = source.archive() ? NodeEntryPoint.file(key.fileName(), source, handler) : key.fileName();
            javaScriptChecker.orElseThrow(() -> new BuildException(FailureReason.UNSUPPORTED_RUNTIME,
                    "this builder has no Node.js syntax checker")).check(source.files(),
                            RuntimeSelector.sources(source.files(), FunctionRuntime.NODE));
            env.put("FUNCTION_FILE", file);
            return new FunctionPackage(files, env);
        }
        JavaSourceCompiler compiler = javaCompiler.orElseThrow(() -> new BuildException(
                FailureReason.UNSUPPORTED_RUNTIME, "this builder has no Java compiler"));
        if (!source.archive()) {
            JavaSourceCompiler.CompiledJava compiled = compiler.compile(key.fileName(),
                    source.files().files().get(key.fileName()), classpath);
            compiled.classFiles().forEach((path, bytes) -> files.put(FUNCTION_DIR + "/classes/" + path, bytes));
            env.put("FUNCTION_FILE", key.fileName());
            env.put("FUNCTION_CLASS", compiled.className());
            return new FunctionPackage(files, env);
        }
        TreeMap<String, byte[]> sources = new TreeMap<>();
        source.files().all(".java").forEach(path -> sources.put(path, source.files().files().get(path)));
        if (sources.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, key.fileName() + " holds no .java file");
        }
        JavaSourceCompiler.CompiledSources compiled = compiler.compileAll(sources, classpath, handler);
        compiled.classFiles().forEach((path, bytes) -> files.put(FUNCTION_DIR + "/classes/" + path, bytes));
        env.put("FUNCTION_CLASS", entryClass(key, source, compiled, handler));
        return new FunctionPackage(files, env);
    }

    /** {@code function.yaml}'s {@code entry.class}, else the only public class with a public handler method. */
    private static String entryClass(FunctionKey key, FunctionSource source, JavaSourceCompiler.CompiledSources compiled,
            String handler) throws BuildException {
        String declared = source.manifest().entryClass();
        if (declared != null) {
            if (!compiled.classFiles().containsKey(declared.replace('.', '/') + ".class")) {
                throw new InvalidManifestException(FunctionManifest.FILE_NAME, "entry.class",
                        "no class " + declared + " among the compiled sources of " + key.fileName());
            }
            return declared;
        }
        List<String> candidates = compiled.handlerClasses();
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, key.fileName() + ": no public class has a public "
                    + handler + "(Map) or " + handler + "(Map, Map) method (classes: " + RuntimeSelector.sample(
                            compiled.classFiles().keySet().stream().filter(p -> !p.contains("$"))
                                    .map(p -> p.replaceAll("\\.class$", "").replace('/', '.')).toList())
                    + "); set entry.class in function.yaml");
        }
        throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, key.fileName() + ": " + candidates.size()
                + " public classes have a public " + handler + " method: " + RuntimeSelector.sample(candidates)
                + "; set entry.class in function.yaml");
    }
}
