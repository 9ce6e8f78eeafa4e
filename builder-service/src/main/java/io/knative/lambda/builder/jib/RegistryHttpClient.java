package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.net.URL;
import java.util.Set;
import java.util.function.Consumer;

import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.Request;
import com.google.cloud.tools.jib.http.Response;

/**
 * Jib's HTTP client for one build: requests go to a client on the builder's {@link SharedTransports} (kept-alive
 * connections), and straight to plain HTTP for a registry already found to speak only that: Jib's own client tries
 * HTTPS first on every new client (a TLS handshake that fails), this one once per builder. The memory is shared by
 * every build ({@link RegistryAccess}) and only used when insecure registries are allowed.
 */
final class RegistryHttpClient extends FailoverHttpClient {

    private final boolean insecure;
    private final Set<String> plainHttpHosts;
    private final FailoverHttpClient pooled;

    /**
     * @param insecure       plain HTTP and self-signed certificates allowed ({@code KLAMBDA_REGISTRY_INSECURE})
     * @param sendAuthOverHttp Jib's {@code sendCredentialsOverHttp}
     * @param plainHttpHosts {@code host:port} of registries that answered on plain HTTP, shared and updated
     * @param transports     the builder's connection pools
     * @param logger         Jib's log events
     */
    RegistryHttpClient(boolean insecure, boolean sendAuthOverHttp, Set<String> plainHttpHosts, SharedTransports transports,
            Consumer<LogEvent> logger) {
        super(insecure, sendAuthOverHttp, logger);
        this.insecure = insecure;
        this.plainHttpHosts = plainHttpHosts;
        this.pooled = transports.client(insecure, sendAuthOverHttp, logger);
    }

    @Override
    public Response call(String method, URL url, Request request) throws IOException {
        if (insecure && "https".equals(url.getProtocol()) && plainHttpHosts.contains(hostPort(url))) {
            return pooled.call(method, new URL("http", url.getHost(), url.getPort(), url.getFile()), request);
        }
        Response response = pooled.call(method, url, request);
        if (insecure && "https".equals(url.getProtocol()) && "http".equals(response.getRequestUrl().getScheme())) {
            plainHttpHosts.add(hostPort(url));
        }
        return response;
    }

    /** Leaves the shared pools open (shutting the pooled client down would close them); nothing of its own is open. */
    @Override
    public void shutDown() {
        // responses are closed by Jib's callers, which returns their connections to the pools
    }

    /** {@code host:port} as Jib's failover keys it (port -1 when none). */
    static String hostPort(URL url) {
        return url.getHost() + ":" + url.getPort();
    }
}
