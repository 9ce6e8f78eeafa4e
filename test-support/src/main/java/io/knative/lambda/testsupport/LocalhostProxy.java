package io.knative.lambda.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Lets the JDK's HTTP client call {@code http://{service}.{namespace}.localhost:PORT/} URLs, as curl and browsers do
 * (they resolve {@code *.localhost} to loopback; the JVM asks the system resolver, which often does not): such a
 * request goes to {@code 127.0.0.1:PORT} in proxy form (absolute URI, {@code Host} header of the URL), which the local
 * cluster's ingress routes like any other. Other URLs go direct.
 */
public final class LocalhostProxy extends ProxySelector {

    /** A client that reaches {@code *.localhost} URLs. */
    public static HttpClient client() {
        return HttpClient.newBuilder().proxy(new LocalhostProxy()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if ("http".equals(uri.getScheme()) && host.endsWith(".localhost")) {
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        }
        return List.of(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException e) {
        // the request fails with the exception; there is no other proxy to try
    }
}
