package io.knative.lambda.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An npm registry on a free loopback port, serving packages a test made itself: {@code GET /<name>} answers the
 * packument ({@code versions.<v>} with {@code dependencies}, {@code scripts} and {@code dist.tarball},
 * {@code dist.integrity}, {@code dist.shasum}; {@code dist-tags.latest}), {@code GET /<name>/-/<file>.tgz} the
 * tarball, a real gzipped tar of {@code package/package.json} and the package's files. Unknown names are 404 as on
 * the public registry. It can require a bearer token and can answer 503 to everything (a registry that is down).
 */
public final class NpmRegistryServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<String, ObjectNode> packuments = new ConcurrentHashMap<>();
    private final Map<String, byte[]> tarballs = new ConcurrentHashMap<>();
    private final AtomicInteger tarballDownloads = new AtomicInteger();
    private volatile String token;
    private volatile boolean unavailable;

    private NpmRegistryServer(HttpServer server) {
        this.server = server;
    }

    /** Starts an empty registry on 127.0.0.1. */
    public static NpmRegistryServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            NpmRegistryServer registry = new NpmRegistryServer(server);
            server.createContext("/", registry::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "npm-registry");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry URL for npm: {@code http://127.0.0.1:<port>/}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** Publishes {@code name@version} whose {@code index.js} is {@code indexJs}, depending on {@code dependencies}. */
    public NpmRegistryServer add(String name, String version, String indexJs, Map<String, String> dependencies) {
        return add(name, version, Map.of("index.js", indexJs), dependencies, Map.of());
    }

    /** Publishes {@code name@version} with these files (paths in the package), dependencies and lifecycle scripts. */
    public NpmRegistryServer add(String name, String version, Map<String, String> files, Map<String, String> dependencies,
            Map<String, String> scripts) {
        ObjectNode manifest = JSON.createObjectNode().put("name", name).put("version", version).put("main", "index.js");
        manifest.set("dependencies", JSON.valueToTree(dependencies));
        manifest.set("scripts", JSON.valueToTree(scripts));
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("package/package.json", manifest.toPrettyString().getBytes(StandardCharsets.UTF_8));
        files.forEach((path, text) -> entries.put("package/" + path, text.getBytes(StandardCharsets.UTF_8)));
        byte[] tgz = tarGz(entries);
        String file = (name.contains("/") ? name.substring(name.indexOf('/') + 1) : name) + "-" + version + ".tgz";
        tarballs.put(name + "/-/" + file, tgz);
        ObjectNode dist = manifest.putObject("dist");
        dist.put("tarball", url() + name + "/-/" + file);
        dist.put("shasum", HexFormat.of().formatHex(digest("SHA-1", tgz)));
        dist.put("integrity", "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", tgz)));
        packuments.compute(name, (n, doc) -> {
            ObjectNode d = doc != null ? doc : JSON.createObjectNode().put("name", name);
            d.withObject("/versions").set(version, manifest);
            d.withObject("/dist-tags").put("latest", version);
            return d;
        });
        return this;
    }

    /**
     * The {@code package-lock.json} a developer gets for {@code packageJson} from this registry: real
     * {@code npm install --package-lock-only --ignore-scripts} run in {@code dir}.
     */
    public String lock(String packageJson, java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve("package.json"), packageJson);
            java.nio.file.Path log = dir.resolve("npm.log");
            Process p = new ProcessBuilder("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
                    "--no-fund", "--registry", url(), "--cache", dir.resolve(".npm-cache").toString()).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("npm could not lock " + packageJson + ": " + java.nio.file.Files.readString(log));
            }
            return java.nio.file.Files.readString(dir.resolve("package-lock.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** From now on, every request needs {@code Authorization: Bearer <token>} (401 otherwise). */
    public void requireToken(String token) {
        this.token = token;
    }

    /** While {@code true}, every request is answered 503, as by a registry that is down behind its proxy. */
    public void unavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    /** How many tarballs were downloaded so far. */
    public int tarballDownloads() {
        return tarballDownloads.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (unavailable) {
                send(exchange, 503, "{\"error\":\"service unavailable\"}");
                return;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (token != null && !("Bearer " + token).equals(auth)) {
                send(exchange, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            String path = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring(1), StandardCharsets.UTF_8);
            byte[] tarball = tarballs.get(path);
            if (tarball != null) {
                tarballDownloads.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, tarball.length);
                exchange.getResponseBody().write(tarball);
                return;
            }
            ObjectNode packument = packuments.get(path);
            if (packument == null) {
                send(exchange, 404, "{\"error\":\"Not found\"}");
                return;
            }
            send(exchange, 200, packument.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** A gzipped ustar archive of regular files (mode 0644, time 0), paths as given. */
    public static byte[] tarGz(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                gzip.write(header(e.getKey(), e.getValue().length));
                gzip.write(e.getValue());
                gzip.write(new byte[(512 - e.getValue().length % 512) % 512]);
            }
            gzip.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] header(String name, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("name longer than 100 bytes: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int at, int length, long value) {
        String s = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, length - 1);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
