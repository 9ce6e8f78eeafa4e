package io.knative.lambda.builder.jib;

import java.util.Optional;

/**
 * How to talk to registries.
 *
 * @param insecure allow plain HTTP and self-signed certificates (loopback registries)
 * @param username registry user, from the environment or a Kubernetes Secret
 * @param password registry password or token, never logged
 * @param timeouts how long a request, and one attempt at a push, may take
 */
public record RegistryOptions(boolean insecure, Optional<String> username, Optional<String> password,
        RegistryTimeouts timeouts) {

    /** With the default timeouts. */
    public RegistryOptions(boolean insecure, Optional<String> username, Optional<String> password) {
        this(insecure, username, password, RegistryTimeouts.DEFAULT);
    }

    @Override
    public String toString() {
        return "RegistryOptions[insecure=" + insecure + ", username=" + username.orElse("-") + ", password="
                + (password.isPresent() ? "***" : "-") + ", timeout=" + timeouts.request() + ", push-timeout="
                + timeouts.push() + "]";
    }
}
