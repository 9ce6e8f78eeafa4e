package io.knative.lambda.builder.core;

import io.knative.lambda.events.FunctionKey;

/** Reads an upload: a single source file as it is, an archive unpacked (in memory) and its {@code function.yaml} parsed. */
public interface FunctionSourceReader {

    /**
     * @throws InvalidArchiveException  the archive is unsafe, corrupt or over a limit
     * @throws InvalidManifestException {@code function.yaml} is not valid
     */
    FunctionSource read(FunctionKey key, SourceObject source) throws BuildException;
}
