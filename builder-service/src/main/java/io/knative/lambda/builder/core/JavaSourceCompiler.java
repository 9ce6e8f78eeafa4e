package io.knative.lambda.builder.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Compiles a Java function's sources on a JRE, so that the image carries classes, not a compiler; runs no user code. */
public interface JavaSourceCompiler {

    /**
     * Compiles one source file against the jars of {@code classpath}.
     *
     * @param fileName the uploaded file name, which need not match the public class
     * @throws BuildException with reason {@code CompileError} and the compiler's messages
     */
    CompiledJava compile(String fileName, byte[] source, List<Path> classpath) throws BuildException;

    /**
     * Compiles several sources together (by their path in the archive) against the jars of {@code classpath}, and
     * finds the public top-level classes with a public {@code method(Map)} or {@code method(Map, Map)}.
     *
     * @throws BuildException with reason {@code CompileError} and the compiler's messages
     */
    CompiledSources compileAll(SortedMap<String, byte[]> sources, List<Path> classpath, String method) throws BuildException;

    /**
     * A compiled single-file function.
     *
     * @param className  the fully-qualified name of the handler class
     * @param classFiles relative path ({@code com/acme/Invoice.class}) to bytes
     */
    record CompiledJava(String className, Map<String, byte[]> classFiles) {
    }

    /**
     * Compiled sources.
     *
     * @param classFiles     relative path to bytes
     * @param handlerClasses the public top-level classes with a handler method of the asked name, sorted
     */
    record CompiledSources(Map<String, byte[]> classFiles, List<String> handlerClasses) {
    }
}
