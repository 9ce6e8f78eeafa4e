package io.knative.lambda.runtime.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Port;

/**
 * Builds the runtime images with Jib Core and pushes them: the Python runtime (the klambda_runtime package, nothing
 * else of function-runtime/python), the Java runtime (its runtime-app folder: the jar and lib/) and the Node.js runtime (its folder of
 * .js files), each on a configurable base, user 65532, function folder /function.
 */
public final class RuntimeImages {

    /** Production base of the Python runtime image. */
    public static final String DEFAULT_PYTHON_BASE = "python:3.12-slim";
    /** Production base of the Java runtime image. */
    public static final String DEFAULT_JAVA_BASE = "eclipse-temurin:21-jre";
    /** Production base of the Node.js runtime image: the Active LTS line (function-runtime/README.md, "Node.js version"). */
    public static final String DEFAULT_NODE_BASE = "node:26-slim";
    /** Where the Python runtime package lives in its image (the folder is run as a script). */
    public static final String PYTHON_RUNTIME_PATH = "/opt/klambda/klambda_runtime";
    /** Where the Java runtime's runtime-app folder lives in its image. */
    public static final String JAVA_APP_DIR = "/opt/klambda/java";
    /** The Java runtime's jar in that folder (its manifest names the jars of lib/). */
    public static final String JAVA_JAR = "klambda-runtime.jar";
    /** Where the Node.js runtime's folder lives in its image. */
    public static final String NODE_RUNTIME_DIR = "/opt/klambda/node";
    /** The non-root user every runtime runs as. */
    public static final String USER = "65532:65532";

    private static final FilePermissions READ_ONLY = FilePermissions.fromOctalString("644");
    private static final FilePermissions DIR = FilePermissions.fromOctalString("755");

    private RuntimeImages() {
    }

    /** What was pushed: the reference and its digest ({@code sha256:...}). */
    public record Pushed(String image, String digest) {
        /** The reference by digest, {@code repo@sha256:...}, for the builder's base-image setting. */
        public String byDigest() {
            String repo = image.contains("@") ? image.substring(0, image.indexOf('@')) : image.replaceFirst(":[^:/]+$", "");
            return repo + "@" + digest;
        }
    }

    /**
     * The Python runtime image: {@code python3 -u /opt/klambda/klambda_runtime}, the package's modules (its
     * {@code *.py} files, sorted: same package, same layer) and nothing else.
     */
    public static JibContainerBuilder python(Path runtimePackage, String baseImage) throws InvalidImageReferenceException, IOException {
        if (!Files.isRegularFile(runtimePackage.resolve("__main__.py"))) {
            throw new IllegalArgumentException("the Python runtime package is not at " + runtimePackage + " (no __main__.py)");
        }
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("klambda-python-runtime");
        try (Stream<Path> files = Files.list(runtimePackage)) {
            for (Path file : (Iterable<Path>) files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".py"))
                    .sorted(Comparator.naturalOrder())::iterator) {
                layer.addEntry(file, AbsoluteUnixPath.get(PYTHON_RUNTIME_PATH + "/" + file.getFileName()), READ_ONLY);
            }
        }
        return common(baseImage, "python")
                .addFileEntriesLayer(layer.build())
                .setEntrypoint("python3", "-u", PYTHON_RUNTIME_PATH)
                .addEnvironmentVariable("PYTHONDONTWRITEBYTECODE", "1");
    }

    /**
     * The Node.js runtime image: {@code node /opt/klambda/node/klambda_runtime.js}, the runtime's files ({@code *.js} and
     * its package.json; it has no dependencies) in one layer, {@code NODE_ENV=production}.
     */
    public static JibContainerBuilder node(Path runtimeDir, String baseImage) throws InvalidImageReferenceException, IOException {
        if (!Files.isRegularFile(runtimeDir.resolve("klambda_runtime.js"))) {
            throw new IllegalArgumentException("the Node.js runtime is not at " + runtimeDir);
        }
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("klambda-node-runtime");
        try (Stream<Path> files = Files.walk(runtimeDir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder())::iterator) {
                String relative = runtimeDir.relativize(file).toString().replace('\\', '/');
                if (relative.endsWith(".js") || relative.equals("package.json")) {
                    layer.addEntry(file, AbsoluteUnixPath.get(NODE_RUNTIME_DIR + "/" + relative), READ_ONLY);
                }
            }
        }
        return common(baseImage, "node")
                .addFileEntriesLayer(layer.build())
                .setEntrypoint("node", NODE_RUNTIME_DIR + "/klambda_runtime.js")
                .addEnvironmentVariable("NODE_ENV", "production");
    }

    /**
     * The Java runtime image: {@code java <flags> -jar /opt/klambda/java/klambda-runtime.jar}, dependencies in their own
     * layer; the flags are those of {@code jvmOptions} (function-runtime/java/jvm.options) after two of the image's own.
     */
    public static JibContainerBuilder java(Path runtimeApp, Path jvmOptions, String baseImage) throws InvalidImageReferenceException, IOException {
        if (!Files.isRegularFile(runtimeApp.resolve(JAVA_JAR))) {
            throw new IllegalArgumentException("no " + JAVA_JAR + " in " + runtimeApp + ": package function-runtime/java first");
        }
        List<String> entrypoint = new ArrayList<>(List.of("java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError"));
        entrypoint.addAll(jvmOptions(jvmOptions));
        entrypoint.addAll(List.of("-jar", JAVA_APP_DIR + "/" + JAVA_JAR));
        FileEntriesLayer.Builder libs = FileEntriesLayer.builder().setName("klambda-java-dependencies");
        FileEntriesLayer.Builder app = FileEntriesLayer.builder().setName("klambda-java-runtime");
        try (Stream<Path> files = Files.walk(runtimeApp)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder())::iterator) {
                String relative = runtimeApp.relativize(file).toString().replace('\\', '/');
                AbsoluteUnixPath target = AbsoluteUnixPath.get(JAVA_APP_DIR + "/" + relative);
                (relative.startsWith("lib/") ? libs : app).addEntry(file, target, READ_ONLY);
            }
        }
        return common(baseImage, "java")
                .addFileEntriesLayer(libs.build())
                .addFileEntriesLayer(app.build())
                .setEntrypoint(entrypoint);
    }

    /** The flags of a {@code java @file} argument file: one or more per line, whole-line {@code #} comments. */
    static List<String> jvmOptions(Path file) throws IOException {
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String flag = line.strip();
            if (!flag.isEmpty() && !flag.startsWith("#")) {
                flags.addAll(List.of(flag.split("\\s+")));
            }
        }
        return flags;
    }

    private static JibContainerBuilder common(String baseImage, String runtime) throws InvalidImageReferenceException {
        JibContainerBuilder builder = "scratch".equals(baseImage) ? Jib.fromScratch() : Jib.from(baseImage);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.knative.lambda.runtime", runtime);
        labels.put("org.opencontainers.image.title", "klambda-runtime-" + runtime);
        return builder
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("klambda-function-dir")
                        .addEntry(emptyDir(), AbsoluteUnixPath.get("/function"), DIR).build())
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get("/function"))
                .setExposedPorts(java.util.Set.of(Port.tcp(8080)))
                .addEnvironmentVariable("FUNCTION_DIR", "/function")
                .addEnvironmentVariable("FUNCTION_RUNTIME", runtime)
                .addEnvironmentVariable("PORT", "8080")
                .setLabels(labels)
                .setCreationTime(Instant.EPOCH);
    }

    private static Path emptyDir() {
        try {
            Path dir = Files.createTempDirectory("klambda-empty-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Pushes to {@code image}; plain HTTP is allowed (loopback registries), credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD. */
    public static Pushed push(JibContainerBuilder builder, String image) throws InvalidImageReferenceException, InterruptedException,
            RegistryException, IOException, CacheDirectoryCreationException, ExecutionException {
        RegistryImage target = RegistryImage.named(image);
        String user = System.getenv("REGISTRY_USERNAME");
        String password = System.getenv("REGISTRY_PASSWORD");
        if (user != null && password != null) {
            target.addCredential(user, password);
        }
        JibContainer container = builder.containerize(Containerizer.to(target)
                .setAllowInsecureRegistries(true)
                .setToolName("klambda-runtime-images"));
        return new Pushed(image, container.getDigest().toString());
    }

    /**
     * {@code RuntimeImages --registry HOST[:PORT][/PATH] [--tag T] [--python-base B] [--java-base B] [--node-base B]
     * [--python-runtime DIR] [--java-app D] [--java-options F] [--node-runtime D]}: builds and pushes
     * {@code klambda-runtime-python}, {@code klambda-runtime-java} and {@code klambda-runtime-node}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("--tag", "latest");
        opts.put("--python-base", DEFAULT_PYTHON_BASE);
        opts.put("--java-base", DEFAULT_JAVA_BASE);
        opts.put("--node-base", DEFAULT_NODE_BASE);
        opts.put("--python-runtime", "function-runtime/python/klambda_runtime");
        opts.put("--java-app", "function-runtime/java/target/runtime-app");
        opts.put("--java-options", "function-runtime/java/jvm.options");
        opts.put("--node-runtime", "function-runtime/node");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opts.containsKey(args[i]) && !args[i].equals("--registry")) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            opts.put(args[i], args[i + 1]);
        }
        String registry = opts.get("--registry");
        if (registry == null || registry.isBlank()) {
            System.err.println("usage: RuntimeImages --registry HOST[:PORT][/PATH] [--tag T] [--python-base B] [--java-base B] [--node-base B]");
            System.exit(2);
        }
        List<Pushed> pushed = new ArrayList<>();
        pushed.add(push(python(Path.of(opts.get("--python-runtime")), opts.get("--python-base")),
                registry + "/klambda-runtime-python:" + opts.get("--tag")));
        pushed.add(push(java(Path.of(opts.get("--java-app")), Path.of(opts.get("--java-options")), opts.get("--java-base")),
                registry + "/klambda-runtime-java:" + opts.get("--tag")));
        pushed.add(push(node(Path.of(opts.get("--node-runtime")), opts.get("--node-base")),
                registry + "/klambda-runtime-node:" + opts.get("--tag")));
        for (Pushed p : pushed) {
            System.out.println(p.image() + " " + p.byDigest());
        }
    }
}
