package io.knative.lambda.builder.core;

import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;

/** Turns a fetched source into a function layer; runs no user code (compiling is not running). */
public interface FunctionPackager {

    /** The layer for {@code source} in {@code runtime}; a source that does not compile fails with {@code CompileError}. */
    FunctionPackage pack(FunctionKey key, FunctionRuntime runtime, SourceObject source) throws BuildException;
}
