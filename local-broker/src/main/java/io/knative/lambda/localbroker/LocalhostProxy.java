package io.knative.lambda.localbroker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * How the dispatcher reaches a function's Knative-style URL in local mode, {@code http://{service}.{namespace}.localhost:PORT/}
 * (the local cluster's ingress): the JVM's resolver may not know {@code *.localhost}, so such a request goes to
 * {@code 127.0.0.1:PORT} in proxy form (absolute URI, {@code Host} of the URL), which the ingress routes by host. Other
 * URLs go direct.
 */
final class LocalhostProxy extends ProxySelector {

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
        // the delivery attempt fails with the exception and is retried by the dispatcher
    }

    /** {@code url} with at least {@code /} as its path (a proxy-form request with an empty path names no resource). */
    static URI withPath(String url) {
        URI uri = URI.create(url);
        return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? URI.create(url + "/") : uri;
    }
}
