package io.knative.lambda.builder.jib;

import java.lang.reflect.Constructor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.api.client.util.SslUtils;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.http.FailoverHttpClient;

/**
 * The process's two connection pools (verified TLS, and trust-all TLS for insecure registries) that every build's Jib
 * HTTP client uses, so that registry requests reuse kept-alive connections. Jib's public {@link FailoverHttpClient}
 * constructor makes a new Apache client (and TCP connection) for every request; its package-private constructor takes
 * the transports instead, and is the one internal piece of Jib this builder calls (looked up at start: a Jib
 * version without it fails the builder's start and its tests, never a build).
 */
final class SharedTransports {

    private static final Constructor<FailoverHttpClient> WITH_TRANSPORTS = withTransports();
    /** The pools of this process (idle connections are closed after 30 s by a daemon thread). */
    static final SharedTransports POOLS = new SharedTransports();

    private final HttpTransport secure;
    private final HttpTransport insecure;

    private SharedTransports() {
        try {
            this.secure = new ApacheHttpTransport(ApacheHttpTransport.newDefaultHttpClientBuilder()
                    .setSSLSocketFactory(SSLConnectionSocketFactory.getSystemSocketFactory())
                    .evictIdleConnections(30, TimeUnit.SECONDS).build());
            this.insecure = new ApacheHttpTransport(ApacheHttpTransport.newDefaultHttpClientBuilder()
                    .setSSLSocketFactory(null).setSSLContext(SslUtils.trustAllSSLContext())
                    .setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                    .evictIdleConnections(30, TimeUnit.SECONDS).build());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for registries: " + e.getMessage(), e);
        }
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
                    true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Jib's FailoverHttpClient cannot be made: " + e, e);
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
