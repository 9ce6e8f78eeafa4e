package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.registry.RegistryClient;

/**
 * The registry clients of one build (Jib Core's {@link RegistryClient}), sharing one HTTP client on the builder's
 * connection pools. A client is authenticated once: a bearer token where the registry asked for one (the ping only
 * when the builder does not know yet), basic credentials otherwise; Jib refreshes a bearer token on a 401 itself.
 */
final class RegistrySession implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RegistrySession.class.getName());

    private final RegistryAccess access;
    private final RegistryHttpClient http;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    RegistrySession(RegistryAccess access, RegistryHttpClient http) {
        this.access = access;
        this.http = http;
    }

    /** A client to push to {@code registry/repository}, allowed to mount blobs from {@code mountFrom} (or null). */
    RegistryClient pushClient(String registry, String repository, String mountFrom) throws IOException, RegistryException {
        return client(registry, repository, mountFrom, true);
    }

    /** A client to read {@code registry/repository}. */
    RegistryClient pullClient(String registry, String repository) throws IOException, RegistryException {
        return client(registry, repository, null, false);
    }

    private RegistryClient client(String registry, String repository, String mountFrom, boolean push)
            throws IOException, RegistryException {
        String key = (push ? "push " : "pull ") + registry + "/" + repository + " " + mountFrom;
        RegistryClient existing = clients.get(key);
        if (existing != null) {
            return existing;
        }
        RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, registry, repository, mountFrom, http)
                .setUserAgent(RegistryAccess.USER_AGENT);
        Optional<Credential> credential = access.credential();
        credential.ifPresent(factory::setCredential);
        RegistryClient client = factory.newRegistryClient();
        Optional<Boolean> bearer = access.bearer(registry);
        if (bearer.isEmpty() || bearer.get()) {
            boolean tokens = push ? client.doPushBearerAuth() : client.doPullBearerAuth();
            access.learnBearer(registry, tokens);
            bearer = Optional.of(tokens);
        }
        if (!bearer.get() && credential.isPresent()) {
            client.configureBasicAuth();
        }
        clients.put(key, client);
        return client;
    }

    /** Jib's HTTP log events (failover to plain HTTP and the like) at DEBUG; they never hold credentials. */
    static void log(LogEvent event) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "registry: " + event.getMessage());
        }
    }

    @Override
    public void close() {
        http.shutDown();
    }
}
