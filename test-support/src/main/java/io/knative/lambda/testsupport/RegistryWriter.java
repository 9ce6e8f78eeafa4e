package io.knative.lambda.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Pushes a small single-layer image to a registry over the OCI distribution API, for tests that need
 * a function image without running the builder: files (paths without leading slash) and environment.
 */
public final class RegistryWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param host {@code 127.0.0.1:<port>} */
    public RegistryWriter(String host) {
        this.baseUrl = "http://" + host;
    }

    /** Pushes the image and returns its manifest digest. */
    public String push(String repository, String tag, Map<String, byte[]> files, Map<String, String> env) {
        try {
            byte[] tar = tar(files);
            String diffId = "sha256:" + sha256(tar);
            byte[] layer = gzip(tar);
            byte[] config = JSON.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                    "created", "1970-01-01T00:00:00Z",
                    "config", Map.of("Env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()),
                    "rootfs", Map.of("type", "layers", "diff_ids", List.of(diffId))));
            String configDigest = blob(repository, config);
            String layerDigest = blob(repository, layer);
            byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                    "mediaType", "application/vnd.docker.distribution.manifest.v2+json",
                    "config", Map.of("mediaType", "application/vnd.docker.container.image.v1+json", "size", config.length,
                            "digest", configDigest),
                    "layers", List.of(Map.of("mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip",
                            "size", layer.length, "digest", layerDigest))));
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/manifests/"
                    + tag)).header("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201) {
                throw new IllegalStateException("manifest push answered " + put.statusCode() + ": " + put.body());
            }
            return "sha256:" + sha256(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String blob(String repository, byte[] body) throws IOException, InterruptedException {
        String digest = "sha256:" + sha256(body);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(baseUrl).resolve(location);
        String sep = upload.getQuery() == null ? "?" : "&";
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("blob push answered " + put.statusCode() + ": " + put.body());
        }
        return digest;
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
            byte[] header = new byte[512];
            put(header, 0, f.getKey(), 100);
            put(header, 100, "0000644", 8);
            put(header, 108, "0000000", 8);
            put(header, 116, "0000000", 8);
            put(header, 124, String.format("%011o", f.getValue().length), 12);
            put(header, 136, "00000000001", 12);
            header[156] = '0';
            put(header, 257, "ustar", 6);
            put(header, 263, "00", 2);
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, String.format("%06o", sum), 7);
            out.write(header);
            out.write(f.getValue());
            out.write(new byte[(512 - f.getValue().length % 512) % 512]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, String value, int length) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
