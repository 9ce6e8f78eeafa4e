package io.knative.lambda.builder.core;

import java.nio.file.Path;
import java.util.List;

import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;

/** Turns an upload into the code layer and finds its entry point; runs no user code (compiling is not running). */
public interface FunctionPackager {

    /**
     * The code layer for {@code source} in {@code runtime}.
     *
     * @param handler   the handler's name (function or method)
     * @param classpath jars to compile against (Java dependencies), or empty
     * @throws BuildException {@code CompileError}, {@code AmbiguousEntryPoint}, {@code EntryPointNotFound},
     *                        {@code InvalidManifest}
     */
    FunctionPackage pack(FunctionKey key, FunctionRuntime runtime, FunctionSource source, String handler, List<Path> classpath)
            throws BuildException;
}
