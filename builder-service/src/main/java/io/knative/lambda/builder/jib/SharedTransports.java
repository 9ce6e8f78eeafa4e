package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.api.client.util.SslUtils;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.http.FailoverHttpClient;

/**
 * The builder's two connection pools (verified TLS, and trust-all TLS for insecure registries) that every build's Jib
 * HTTP client uses, so that registry requests reuse kept-alive connections. Jib's public {@link FailoverHttpClient}
 * constructor makes a new Apache client (and TCP connection) for every request; its package-private constructor takes
 * the transports instead, and is the one internal piece of Jib this builder calls (looked up at start: a Jib
 * version without it fails the builder's start and its tests, never a build).
 *
 * <p>Every request is bounded ({@link RegistryTimeouts#request}): the wait for a pooled connection, the connect and
 * each read. Jib's retry of failed requests is off: it retries any I/O failure ten times with exponential back-off
 * (about a minute per request, logged at DEBUG only), which held a build that met a stopped registry for a minute
 * without a word; a failed build is retried by the event's delivery instead, with the reason.
 */
final class SharedTransports implements AutoCloseable {

    private static final Constructor<FailoverHttpClient> WITH_TRANSPORTS = withTransports();
    /** Connections kept per registry (host, port and scheme) and in all, as Google's defaults for Apache have it. */
    static final int MAX_PER_REGISTRY = 20;
    private static final int MAX_TOTAL = 200;
    /** Idle kept-alive connections are closed after this long (by a daemon thread of each pool). */
    private static final long IDLE_SECONDS = 30;
    /** Jib's {@code enableRetry}: off, see the class comment. */
    private static final boolean JIB_RETRIES = false;

    private final PoolingHttpClientConnectionManager securePool;
    private final PoolingHttpClientConnectionManager insecurePool;
    private final ApacheHttpTransport secure;
    private final ApacheHttpTransport insecure;

    SharedTransports(RegistryTimeouts timeouts) {
        try {
            this.securePool = pool(timeouts, SSLConnectionSocketFactory.getSystemSocketFactory());
            this.insecurePool = pool(timeouts, new SSLConnectionSocketFactory(SslUtils.trustAllSSLContext(),
                    NoopHostnameVerifier.INSTANCE));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for registries: " + e.getMessage(), e);
        }
        this.secure = new ApacheHttpTransport(client(securePool, timeouts));
        this.insecure = new ApacheHttpTransport(client(insecurePool, timeouts));
    }

    private static PoolingHttpClientConnectionManager pool(RegistryTimeouts timeouts, SSLConnectionSocketFactory tls) {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(
                RegistryBuilder.<ConnectionSocketFactory>create().register("http", PlainConnectionSocketFactory.getSocketFactory())
                        .register("https", tls).build());
        pool.setDefaultMaxPerRoute(MAX_PER_REGISTRY);
        pool.setMaxTotal(MAX_TOTAL);
        pool.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout((int) timeouts.request().toMillis()).build());
        return pool;
    }

    /** Google's defaults for Apache (no redirects, no retries) on {@code pool}, with every wait of a request bounded. */
    private static CloseableHttpClient client(PoolingHttpClientConnectionManager pool, RegistryTimeouts timeouts) {
        HttpRequestInterceptor bound = (request, context) -> {
            HttpClientContext client = HttpClientContext.adapt(context);
            client.setRequestConfig(timeouts.bound(client.getRequestConfig()));
        };
        return ApacheHttpTransport.newDefaultHttpClientBuilder().setConnectionManager(pool).addInterceptorFirst(bound)
                .evictIdleConnections(IDLE_SECONDS, TimeUnit.SECONDS).build();
    }

    /**
     * Closes the connections no request is using, so that the next ones are new: after a failed build, kept-alive
     * connections to a registry that restarted are dead, and a request on one fails.
     */
    void closeIdle() {
        securePool.closeIdleConnections(0, TimeUnit.MILLISECONDS);
        insecurePool.closeIdleConnections(0, TimeUnit.MILLISECONDS);
    }

    /**
     * A Jib HTTP client on these pools, for one build. Never shut it down: that would close the shared pools; Jib's
     * callers close each response, which hands its connection back.
     */
    FailoverHttpClient client(boolean allowInsecure, boolean sendAuthOverHttp, Consumer<LogEvent> logger) {
        Supplier<HttpTransport> secureSupplier = () -> secure;
        Supplier<HttpTransport> insecureSupplier = () -> insecure;
        try {
            return WITH_TRANSPORTS.newInstance(allowInsecure, sendAuthOverHttp, logger, secureSupplier, insecureSupplier,
                    JIB_RETRIES);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Jib's FailoverHttpClient cannot be made: " + e, e);
        }
    }

    /** Closes both pools and their connections. */
    @Override
    public void close() throws IOException {
        try {
            secure.shutdown();
        } finally {
            insecure.shutdown();
        }
    }

    private static Constructor<FailoverHttpClient> withTransports() {
        try {
            Constructor<FailoverHttpClient> c = FailoverHttpClient.class.getDeclaredConstructor(boolean.class, boolean.class,
                    Consumer.class, Supplier.class, Supplier.class, boolean.class);
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("this Jib Core has no FailoverHttpClient(boolean, boolean, Consumer, Supplier,"
                    + " Supplier, boolean): the builder needs jib-core 0.28.x", e);
        }
    }
}
