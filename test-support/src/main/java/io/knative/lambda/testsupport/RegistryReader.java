package io.knative.lambda.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads images back from a registry over the OCI distribution API, as a container runtime would:
 * manifest by digest, config, and the files of a layer. Lets tests assert what was really pushed.
 */
public final class RegistryReader {

    private static final String ACCEPT = String.join(",",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param host {@code 127.0.0.1:<port>} */
    public RegistryReader(String host) {
        this.baseUrl = "http://" + host;
    }

    /** The HTTP status of {@code HEAD /v2/<repository>/manifests/<reference>}. */
    public int manifestStatus(String repository, String reference) {
        return send("/v2/" + repository + "/manifests/" + reference, "HEAD").statusCode();
    }

    /** The manifest, failing when the registry does not serve it. */
    public JsonNode manifest(String repository, String reference) {
        HttpResponse<byte[]> response = send("/v2/" + repository + "/manifests/" + reference, "GET");
        if (response.statusCode() != 200) {
            throw new AssertionError("registry answered " + response.statusCode() + " for manifest " + repository + ":"
                    + reference);
        }
        return parse(response.body());
    }

    /** The {@code Docker-Content-Digest} the registry gives for a manifest reference. */
    public String manifestDigest(String repository, String reference) {
        return send("/v2/" + repository + "/manifests/" + reference, "HEAD").headers()
                .firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** The image configuration (env, labels, created) of a manifest. */
    public JsonNode config(String repository, JsonNode manifest) {
        return parse(blob(repository, manifest.path("config").path("digest").asText()));
    }

    /** A blob's bytes. */
    public byte[] blob(String repository, String digest) {
        HttpResponse<byte[]> response = send("/v2/" + repository + "/blobs/" + digest, "GET");
        if (response.statusCode() != 200) {
            throw new AssertionError("registry answered " + response.statusCode() + " for blob " + digest);
        }
        return response.body();
    }

    /** The regular files of a gzipped tar layer: path (without leading slash) to bytes. */
    public Map<String, byte[]> layerFiles(String repository, String layerDigest) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob(repository, layerDigest)))) {
            return untar(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        int pos = 0;
        String longName = null;
        while (pos + 512 <= tar.length) {
            if (isZero(tar, pos)) {
                break;
            }
            String name = field(tar, pos, 100);
            long size = Long.parseLong(field(tar, pos + 124, 12).trim().isEmpty() ? "0" : field(tar, pos + 124, 12).trim(), 8);
            char type = (char) tar[pos + 156];
            String prefix = field(tar, pos + 345, 155);
            int dataStart = pos + 512;
            if (type == 'L' || type == 'x') {
                String header = new String(tar, dataStart, (int) size, StandardCharsets.UTF_8);
                if (type == 'L') {
                    longName = header.trim();
                } else {
                    for (String record : header.split("\n")) {
                        int eq = record.indexOf(" path=");
                        if (eq >= 0) {
                            longName = record.substring(eq + 6);
                        }
                    }
                }
            } else {
                String path = longName != null ? longName : (prefix.isEmpty() ? name : prefix + "/" + name);
                longName = null;
                if (type == '0' || type == 0) {
                    byte[] data = new byte[(int) size];
                    System.arraycopy(tar, dataStart, data, 0, (int) size);
                    files.put(path.startsWith("/") ? path.substring(1) : path, data);
                }
            }
            pos = dataStart + (int) ((size + 511) / 512 * 512);
        }
        return files;
    }

    private static boolean isZero(byte[] b, int from) {
        for (int i = from; i < from + 512; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] b, int from, int length) {
        int end = from;
        while (end < from + length && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> send(String path, String method) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Accept", ACCEPT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
