package io.knative.lambda.builder.java;

import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.JavaSourceCompiler;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.runtime.compiler.CompiledFunction;
import io.knative.lambda.runtime.compiler.FunctionCompileException;
import io.knative.lambda.runtime.compiler.JavaFunctionCompiler;

/**
 * The builder's Java compile step: the function-runtime's ECJ compiler (runs on a JRE, runs no user
 * code). A source that does not compile fails the build with {@code CompileError} and the compiler's
 * messages, line numbers included.
 */
@ApplicationScoped
public class EcjJavaSourceCompiler implements JavaSourceCompiler {

    private static final int MAX_MESSAGE_LINES = 20;
    private final JavaFunctionCompiler compiler = new JavaFunctionCompiler();

    @Override
    public CompiledJava compile(String fileName, byte[] source, List<Path> classpath) throws BuildException {
        try {
            CompiledFunction compiled = compiler.compile(fileName, source, classpath);
            return new CompiledJava(compiled.className(), compiled.classFiles());
        } catch (FunctionCompileException e) {
            throw compileError(fileName, e);
        }
    }

    @Override
    public CompiledSources compileAll(SortedMap<String, byte[]> sources, List<Path> classpath, String method)
            throws BuildException {
        try {
            SortedMap<String, byte[]> classes = compiler.compileAll(sources, classpath);
            return new CompiledSources(classes, JavaFunctionCompiler.handlerClasses(classes, method));
        } catch (FunctionCompileException e) {
            throw compileError(sources.size() == 1 ? sources.firstKey() : "the function's sources", e);
        }
    }

    private static BuildException compileError(String what, FunctionCompileException e) {
        StringBuilder message = new StringBuilder(what).append(" does not compile");
        e.errors().stream().limit(MAX_MESSAGE_LINES).forEach(line -> message.append('\n').append(line));
        if (e.errors().size() > MAX_MESSAGE_LINES) {
            message.append("\n... ").append(e.errors().size() - MAX_MESSAGE_LINES).append(" more");
        }
        if (e.errors().isEmpty()) {
            message.append(": ").append(e.getMessage());
        }
        return new BuildException(FailureReason.COMPILE_ERROR, message.toString(), e);
    }
}
