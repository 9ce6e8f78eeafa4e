package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.global.JibSystemProperties;

/**
 * What the builder has learnt about its registries, kept between builds: which answer only on plain HTTP and which
 * want bearer tokens (the others need no ping before each build). Every build's requests go through its connection
 * pools ({@link SharedTransports}, every wait bounded). A build opens a {@link RegistrySession} on it; {@link #forget}
 * drops what was learnt when a build that relied on it failed, so the next attempt learns afresh.
 */
final class RegistryAccess implements AutoCloseable {

    static final String USER_AGENT = "knative-lambda-builder";

    private final RegistryOptions options;
    private final SharedTransports transports;
    private final Set<String> plainHttpHosts = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> bearerByRegistry = new ConcurrentHashMap<>();

    RegistryAccess(RegistryOptions options) {
        this.options = options;
        this.transports = new SharedTransports(options.timeouts());
    }

    /** How long a build may wait on the registry. */
    RegistryTimeouts timeouts() {
        return options.timeouts();
    }

    /** A session for one build: one HTTP client, closed with it. */
    RegistrySession open() {
        return new RegistrySession(this, new RegistryHttpClient(options.insecure(),
                JibSystemProperties.sendCredentialsOverHttp(), plainHttpHosts, transports, RegistrySession::log));
    }

    /** The configured credentials, if both halves are set. */
    Optional<Credential> credential() {
        return options.username().isPresent() && options.password().isPresent()
                ? Optional.of(Credential.from(options.username().get(), options.password().get()))
                : Optional.empty();
    }

    /** Whether {@code registry} asked for bearer tokens when last pinged; empty when never pinged. */
    Optional<Boolean> bearer(String registry) {
        return Optional.ofNullable(bearerByRegistry.get(registry));
    }

    void learnBearer(String registry, boolean bearer) {
        bearerByRegistry.put(registry, bearer);
    }

    /** Whether anything is known: a build that used this knowledge and failed is tried once more without it. */
    boolean knowsAnything() {
        return !plainHttpHosts.isEmpty() || !bearerByRegistry.isEmpty();
    }

    /** Forgets what was learnt and closes the idle kept-alive connections (they may lead to a registry that restarted). */
    void forget() {
        plainHttpHosts.clear();
        bearerByRegistry.clear();
        transports.closeIdle();
    }

    /** Closes the connection pools. */
    @Override
    public void close() throws IOException {
        transports.close();
    }
}
