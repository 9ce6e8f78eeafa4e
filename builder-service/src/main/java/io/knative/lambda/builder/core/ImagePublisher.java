package io.knative.lambda.builder.core;

/** Builds an image from a base and files, without a Docker daemon, and pushes it. */
public interface ImagePublisher {

    /**
     * Pushes {@code spec} and says its digest. The same spec must give the same digest.
     *
     * @throws RegistryUnavailableException   the registry is unreachable or failing (transient)
     * @throws RegistryUnauthorizedException  the registry refused the credentials
     * @throws BaseImageNotFoundException     the base image does not exist
     */
    PublishedImage publish(ImageSpec spec) throws BuildException;
}
