package io.knative.lambda.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Maven repository on a free loopback port, in the standard layout, holding the artifacts a test deployed into it
 * ({@link #deploy}: a jar, its POM with dependencies, and their {@code .sha1} checksums). Optionally requires HTTP
 * Basic credentials; counts jar downloads.
 */
public final class MavenRepositoryServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger jarDownloads = new AtomicInteger();
    private volatile String credentials;

    private MavenRepositoryServer(HttpServer server) {
        this.server = server;
    }

    /** Starts an empty repository on 127.0.0.1. */
    public static MavenRepositoryServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            MavenRepositoryServer repo = new MavenRepositoryServer(server);
            server.createContext("/", repo::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "maven-repo");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return repo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>/maven2}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
    }

    /**
     * Puts {@code group:artifact:version} into the repository: the jar of {@code classes} (path to bytes) and a POM
     * whose dependencies are {@code dependencies} ({@code group:artifact:version}, compile scope).
     */
    public MavenRepositoryServer deploy(String group, String artifact, String version, Map<String, byte[]> classes,
            List<String> dependencies) {
        String base = "/maven2/" + group.replace('.', '/') + "/" + artifact + "/" + version + "/" + artifact + "-" + version;
        StringBuilder pom = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project><modelVersion>4.0.0"
                + "</modelVersion><groupId>" + group + "</groupId><artifactId>" + artifact + "</artifactId><version>" + version
                + "</version><dependencies>");
        for (String d : dependencies) {
            String[] c = d.split(":");
            pom.append("<dependency><groupId>").append(c[0]).append("</groupId><artifactId>").append(c[1])
                    .append("</artifactId><version>").append(c[2]).append("</version></dependency>");
        }
        pom.append("</dependencies></project>\n");
        put(base + ".pom", pom.toString().getBytes(StandardCharsets.UTF_8));
        put(base + ".jar", jar(classes));
        return this;
    }

    /** From now on, every request needs HTTP Basic {@code user:password} (401 otherwise). */
    public void requireCredentials(String user, String password) {
        credentials = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** How many jars were downloaded. */
    public int jarDownloads() {
        return jarDownloads.get();
    }

    /** A jar of {@code entries} (path to bytes) with fixed times. */
    public static byte[] jar(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                JarEntry entry = new JarEntry(e.getKey());
                entry.setTime(315532800000L);
                jar.putNextEntry(entry);
                jar.write(e.getValue());
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void put(String path, byte[] content) {
        files.put(path, content);
        try {
            files.put(path + ".sha1", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content))
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (credentials != null && !credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"maven\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            byte[] body = files.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (path.endsWith(".jar")) {
                jarDownloads.incrementAndGet();
            }
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
