package io.knative.lambda.builder.core;

import java.util.Optional;

import io.knative.lambda.events.FunctionRuntime;

/**
 * Installs the dependencies a function declares into one content-addressed layer, with the ecosystem's own tool, from
 * a cache when the same set was installed before. One implementation per ecosystem (pip, Maven Resolver); runs no code
 * of the function or of any package.
 */
public interface DependencyInstaller {

    /** The runtime whose functions this installer serves. */
    FunctionRuntime runtime();

    /**
     * The layer of what {@code source} declares, or empty when it declares nothing.
     *
     * @throws BuildException {@code DependencyNotInstallable}, {@code DependencyResolutionFailed}, or the retryable
     *                        {@code DependencyIndexUnavailable}
     */
    Optional<DependencyLayer> install(FunctionSource source) throws BuildException;
}
