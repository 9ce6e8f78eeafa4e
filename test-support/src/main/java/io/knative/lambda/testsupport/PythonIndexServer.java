package io.knative.lambda.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Python package index on a free loopback port, serving the PEP 503 "simple" API ({@code /simple/},
 * {@code /simple/<project>/}, files under {@code /files/}) from packages a test made itself: {@link #wheel} builds a real
 * wheel (a zip with {@code <name>-<version>.dist-info/METADATA}, {@code WHEEL} and {@code RECORD}), {@link #sdist} a
 * source distribution. Optionally requires HTTP Basic credentials. pip installs from it as from PyPI.
 */
public final class PythonIndexServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Map<String, byte[]>> projects = new ConcurrentHashMap<>();
    private final AtomicInteger fileDownloads = new AtomicInteger();
    private volatile String credentials;

    private PythonIndexServer(HttpServer server) {
        this.server = server;
    }

    /** Starts an empty index on 127.0.0.1. */
    public static PythonIndexServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            PythonIndexServer index = new PythonIndexServer(server);
            server.createContext("/", index::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "python-index");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index URL for pip: {@code http://127.0.0.1:<port>/simple}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple";
    }

    /** Serves {@code fileName} on the page of {@code project}. */
    public PythonIndexServer add(String project, String fileName, byte[] content) {
        projects.computeIfAbsent(normalise(project), p -> new ConcurrentHashMap<>()).put(fileName, content);
        return this;
    }

    /** Adds a pure-Python wheel ({@code py3-none-any}) whose module {@code module.py} holds {@code code}. */
    public PythonIndexServer addModule(String project, String version, String module, String code, String... requires) {
        return add(project, wheelName(project, version, "py3-none-any"),
                wheel(project, version, "py3-none-any", Map.of(module + ".py", code), List.of(requires)));
    }

    /** From now on, every request needs HTTP Basic {@code user:password} (401 otherwise). */
    public void requireCredentials(String user, String password) {
        credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** How many package files were downloaded: what pip fetched. */
    public int fileDownloads() {
        return fileDownloads.get();
    }

    /** {@code <name>-<version>-<tag>.whl} with the name's {@code -} as {@code _}, as wheels are named. */
    public static String wheelName(String project, String version, String tag) {
        return project.replace('-', '_') + "-" + version + "-" + tag + ".whl";
    }

    /**
     * A wheel of {@code project} {@code version} for {@code tag} ({@code py3-none-any},
     * {@code cp312-cp312-manylinux_2_17_x86_64}, ...), holding {@code files} (path in site-packages to text), its
     * metadata with one {@code Requires-Dist} per entry of {@code requires}, and a RECORD of every file's hash.
     */
    public static byte[] wheel(String project, String version, String tag, Map<String, String> files, List<String> requires) {
        String distInfo = project.replace('-', '_') + "-" + version + ".dist-info/";
        Map<String, byte[]> entries = new TreeMap<>();
        files.forEach((path, text) -> entries.put(path, text.getBytes(StandardCharsets.UTF_8)));
        StringBuilder metadata = new StringBuilder("Metadata-Version: 2.1\nName: " + project + "\nVersion: " + version + "\n");
        requires.forEach(r -> metadata.append("Requires-Dist: ").append(r).append('\n'));
        entries.put(distInfo + "METADATA", metadata.toString().getBytes(StandardCharsets.UTF_8));
        String[] t = tag.split("-");
        entries.put(distInfo + "WHEEL", ("Wheel-Version: 1.0\nGenerator: klambda-tests\nRoot-Is-Purelib: "
                + tag.endsWith("-none-any") + "\nTag: " + tag + "\n").getBytes(StandardCharsets.UTF_8));
        if (t.length != 3) {
            throw new IllegalArgumentException("a wheel tag is python-abi-platform, not " + tag);
        }
        StringBuilder record = new StringBuilder();
        entries.forEach((path, bytes) -> record.append(path).append(",sha256=").append(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sha256(bytes))).append(',').append(bytes.length).append('\n'));
        record.append(distInfo).append("RECORD,,\n");
        entries.put(distInfo + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        return zip(entries);
    }

    /** A source distribution's file name and (token) content: what a project without wheels publishes. */
    public static byte[] sdist(String project, String version) {
        return ("not a real sdist of " + project + " " + version).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(315532800000L);
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (credentials != null && !credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"index\"");
                send(exchange, 401, "text/plain", "unauthorized".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/simple/") || path.equals("/simple")) {
                StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                new TreeMap<>(projects).keySet().forEach(p -> html.append("<a href=\"/simple/").append(p).append("/\">")
                        .append(p).append("</a>\n"));
                send(exchange, 200, "text/html", html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/simple/")) {
                String project = normalise(path.substring("/simple/".length()).replaceAll("/$", ""));
                Map<String, byte[]> files = projects.get(project);
                if (files == null) {
                    send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                new TreeMap<>(files).forEach((name, bytes) -> html.append("<a href=\"/files/").append(project).append('/')
                        .append(name).append("#sha256=").append(HexFormat.of().formatHex(sha256(bytes))).append("\">")
                        .append(name).append("</a>\n"));
                send(exchange, 200, "text/html", html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/files/")) {
                String[] parts = path.substring("/files/".length()).split("/", 2);
                byte[] file = parts.length == 2 && projects.containsKey(parts[0]) ? projects.get(parts[0]).get(parts[1]) : null;
                if (file == null) {
                    send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                fileDownloads.incrementAndGet();
                send(exchange, 200, "application/octet-stream", file);
            } else {
                send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The projects served, for messages. */
    public List<String> projects() {
        return new ArrayList<>(new TreeMap<>(projects).keySet());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
