package io.knative.lambda.builder.core;

/**
 * An upload, read: its files and its {@code function.yaml}.
 *
 * @param files    the function's files (one for a single-file upload)
 * @param archive  whether it was uploaded as an archive
 * @param manifest the archive's {@code function.yaml}, or {@link FunctionManifest#none()}
 */
public record FunctionSource(FunctionFiles files, boolean archive, FunctionManifest manifest) {
}
