package io.knative.lambda.builder.jib;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;

import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.registry.RegistryCredentialsNotSentException;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.RegistryUnauthorizedException;
import io.knative.lambda.builder.core.RegistryUnavailableException;

/**
 * Maps a failed Jib build to the platform's reason: refused credentials (or credentials a plain-HTTP registry wants)
 * and a missing base image are permanent ({@code build.failed}); anything else is the registry being unavailable, which is retried.
 * Pure: it reads only the exception chain.
 */
final class JibFailures {

    static final String SCRATCH = "scratch";

    private JibFailures() {
    }

    /**
     * @param reference the image being pushed, {@code repository:tag}
     * @param baseImage the runtime base image, or {@code scratch}
     * @param failure   what Jib threw (often wrapped in an {@code ExecutionException})
     */
    static BuildException classify(String reference, String baseImage, Throwable failure) {
        Optional<Throwable> unauthorized = cause(failure, com.google.cloud.tools.jib.api.RegistryUnauthorizedException.class)
                .or(() -> cause(failure, RegistryAuthenticationFailedException.class));
        if (unauthorized.isPresent()) {
            return new RegistryUnauthorizedException(reference, unauthorized.get());
        }
        Optional<Throwable> overHttp = cause(failure, RegistryCredentialsNotSentException.class);
        if (overHttp.isPresent()) { // a 401 or 403 on plain HTTP: asking again changes nothing
            return new RegistryUnauthorizedException(reference, "the registry wants credentials for " + reference
                    + ", and the builder sends none over plain HTTP (KLAMBDA_REGISTRY_INSECURE=true): serve the registry"
                    + " over HTTPS, or let it accept pushes without credentials", overHttp.get());
        }
        String text = messages(failure);
        if (!SCRATCH.equals(baseImage) && text.contains(repositoryOf(baseImage))
                && (text.contains("MANIFEST_UNKNOWN") || text.contains("manifest unknown") || text.contains("NAME_UNKNOWN")
                        || text.contains("repository name not known"))) {
            return new BaseImageNotFoundException(baseImage, failure);
        }
        return new RegistryUnavailableException(reference, detail(failure), failure);
    }

    /** What a person needs to know of a transient failure: the usual network causes in words, else the root cause. */
    private static String detail(Throwable failure) {
        if (cause(failure, InsecureRegistryException.class).isPresent()) {
            return "the registry does not speak HTTPS; set KLAMBDA_REGISTRY_INSECURE=true for a registry on plain HTTP";
        }
        if (cause(failure, ConnectException.class).isPresent() || cause(failure, NoRouteToHostException.class).isPresent()) {
            return "connection refused";
        }
        if (cause(failure, UnknownHostException.class).isPresent()) {
            return "unknown host";
        }
        if (cause(failure, ConnectionPoolTimeoutException.class).isPresent()) {
            return "timed out waiting for a free connection to the registry";
        }
        if (cause(failure, SocketTimeoutException.class).isPresent() || cause(failure, ConnectTimeoutException.class).isPresent()) {
            return "timed out";
        }
        return rootMessage(failure);
    }

    /** The repository of an image reference: without {@code @digest} and {@code :tag} (a registry's port stays). */
    static String repositoryOf(String image) {
        int at = image.indexOf('@');
        String withoutDigest = at >= 0 ? image.substring(0, at) : image;
        int colon = withoutDigest.lastIndexOf(':');
        return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.substring(0, colon) : withoutDigest;
    }

    private static <T extends Throwable> Optional<Throwable> cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return Optional.of(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
