package io.knative.lambda.builder.core;

import java.util.Map;

/** Compiles a Java function's source on a JRE, so that the image carries classes, not a compiler. */
public interface JavaSourceCompiler {

    /**
     * Compiles one source file.
     *
     * @param fileName the uploaded file name, which need not match the public class
     * @throws BuildException with reason {@code CompileError} and the compiler's messages
     */
    CompiledJava compile(String fileName, byte[] source) throws BuildException;

    /**
     * A compiled function.
     *
     * @param className  the fully-qualified name of the handler class
     * @param classFiles relative path ({@code com/acme/Invoice.class}) to bytes
     */
    record CompiledJava(String className, Map<String, byte[]> classFiles) {
    }
}
