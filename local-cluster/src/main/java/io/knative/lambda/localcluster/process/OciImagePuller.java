package io.knative.lambda.localcluster.process;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Pulls a function image over the OCI distribution API, as a container runtime would, and extracts
 * its function layer ({@code /function}) into a folder, and its dependency layer ({@code FUNCTION_DEPS_DIR}, e.g.
 * {@code /function-deps}) into the folder beside it: local mode runs those folders with the project's runtime
 * instead of running the whole image.
 */
public final class OciImagePuller {

    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json";
    private static final long MAX_LAYER_BYTES = 64L * 1024 * 1024;

    /** Threads that fetch layers beside the config (bounded; daemon, so that they never hold the JVM up). */
    private static final Executor FETCHERS = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "image-layer-fetch");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper;
    private final String scheme;

    /** @param scheme {@code http} for loopback registries, {@code https} otherwise */
    public OciImagePuller(ObjectMapper mapper, String scheme) {
        this.mapper = mapper;
        this.scheme = scheme;
    }

    /**
     * What was pulled: the image's environment ({@code FUNCTION_DEPS_DIR} pointing at the local folder) and the folder
     * holding its {@code /function} files.
     */
    public record PulledFunction(Map<String, String> environment, Path functionDir) {
    }

    /** The image folder of the dependency layer, as the image's environment names it; local mode's folder is beside {@code target}. */
    private static final String DEPS_DIR = "FUNCTION_DEPS_DIR";
    private static final String FUNCTION_FOLDER = "function/";

    /**
     * Pulls {@code image} ({@code host[:port]/repository@sha256:...} or {@code :tag}) and writes the files
     * under {@code /function} of its layers into {@code target}.
     */
    public PulledFunction pull(String image, Path target) throws ImagePullException {
        Reference ref = Reference.parse(image);
        JsonNode manifest = json(get(ref, "/manifests/" + ref.reference(), ACCEPT), image, "manifest");
        // the config and the layers are fetched at once: one round trip to the registry instead of one each
        List<CompletableFuture<byte[]>> layers = new ArrayList<>();
        manifest.path("layers").forEach(layer -> layers.add(getAsync(ref, "/blobs/" + layer.path("digest").asText())));
        JsonNode config = json(get(ref, "/blobs/" + manifest.path("config").path("digest").asText(), "*/*"), image, "config");
        Map<String, String> env = new LinkedHashMap<>();
        config.path("config").path("Env").forEach(e -> {
            String kv = e.asText();
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        });
        String depsPrefix = depsPrefix(image, env.get(DEPS_DIR));
        Path depsTarget = target.resolveSibling(target.getFileName() + "-deps");
        if (depsPrefix != null && depsPrefix.startsWith(FUNCTION_FOLDER)) {
            // a layer that lands inside /function (Node's node_modules) comes with the function's files
            depsTarget = target.resolve(depsPrefix.substring(FUNCTION_FOLDER.length()));
            depsPrefix = null;
            env.put(DEPS_DIR, depsTarget.toString());
        }
        try {
            Files.createDirectories(target);
            int index = 0;
            for (JsonNode layer : manifest.path("layers")) {
                byte[] blob = await(layers.get(index++), ref);
                String mediaType = layer.path("mediaType").asText("");
                InputStream tar = mediaType.endsWith("gzip") || isGzip(blob)
                        ? new GZIPInputStream(new ByteArrayInputStream(blob)) : new ByteArrayInputStream(blob);
                byte[] entries = tar.readAllBytes();
                FunctionLayer.extract(entries, target);
                if (depsPrefix != null) {
                    FunctionLayer.extract(entries, depsPrefix, depsTarget);
                }
            }
            if (depsPrefix != null) {
                Files.createDirectories(depsTarget);
                env.put(DEPS_DIR, depsTarget.toString());
            }
        } catch (IOException e) {
            throw new ImagePullException(image, "cannot unpack a layer: " + e.getMessage(), e);
        }
        return new PulledFunction(env, target);
    }

    /**
     * {@code function-deps/} for {@code /function-deps} ({@code function/node_modules/} for a layer inside the
     * function's folder); null when the image has no dependency layer.
     */
    private static String depsPrefix(String image, String depsDir) throws ImagePullException {
        if (depsDir == null || depsDir.isBlank()) {
            return null;
        }
        String folder = depsDir.replaceAll("^/+", "").replaceAll("/+$", "");
        if (folder.isEmpty() || folder.equals("function") || java.util.Arrays.asList(folder.split("/")).contains("..")
                || java.util.Arrays.asList(folder.split("/")).contains(".")) {
            throw new ImagePullException(image, DEPS_DIR + " " + depsDir + " is not a folder of its own in the image", null);
        }
        return folder + "/";
    }

    private static boolean isGzip(byte[] b) {
        return b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private CompletableFuture<byte[]> getAsync(Reference ref, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(ref, path, "*/*");
            } catch (ImagePullException e) {
                throw new CompletionException(e);
            }
        }, FETCHERS);
    }

    private static byte[] await(CompletableFuture<byte[]> blob, Reference ref) throws ImagePullException {
        try {
            return blob.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ImagePullException pull) {
                throw pull;
            }
            throw new ImagePullException(ref.image(), "a layer could not be fetched: " + e.getCause(), e.getCause());
        }
    }

    private byte[] get(Reference ref, String path, String accept) throws ImagePullException {
        URI uri = URI.create(scheme + "://" + ref.host() + "/v2/" + ref.repository() + path);
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ImagePullException(ref.image(), "GET " + uri + " answered " + response.statusCode(), null);
                }
                byte[] bytes = body.readNBytes((int) MAX_LAYER_BYTES + 1);
                if (bytes.length > MAX_LAYER_BYTES) {
                    throw new ImagePullException(ref.image(), "a blob is over " + MAX_LAYER_BYTES + " bytes", null);
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new ImagePullException(ref.image(), "GET " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException(ref.image(), "interrupted", e);
        }
    }

    private JsonNode json(byte[] bytes, String image, String what) throws ImagePullException {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw new ImagePullException(image, "the " + what + " is not JSON", e);
        }
    }

    /** {@code host/repository} and a tag or digest. */
    record Reference(String image, String host, String repository, String reference) {
        static Reference parse(String image) throws ImagePullException {
            int slash = image.indexOf('/');
            if (slash <= 0) {
                throw new ImagePullException(image, "not host/repository[:tag|@digest]", null);
            }
            String host = image.substring(0, slash);
            String rest = image.substring(slash + 1);
            int at = rest.indexOf('@');
            if (at > 0) {
                return new Reference(image, host, rest.substring(0, at), rest.substring(at + 1));
            }
            int colon = rest.lastIndexOf(':');
            return colon > 0 ? new Reference(image, host, rest.substring(0, colon), rest.substring(colon + 1))
                    : new Reference(image, host, rest, "latest");
        }
    }
}
