package io.knative.lambda.localcluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.knative.lambda.localcluster.process.RestartBackoff;

/**
 * The local cluster's settings, from environment variables (each with a default; README's table):
 * where the API listens and its token file, how revisions run (processes or instantly ready) and with which
 * runtime commands, the domain of Service URLs, the ingress port and the kubeconfig to write.
 *
 * @param runner "process" (functions as host processes) or "instant" (every revision ready at once, nothing runs)
 * @param domain      the domain of Service URLs, or {@code null}: a Service's URL is its serving process's loopback URL
 *                    (or, with the ingress, {@code localhost})
 * @param ingressPort the port of the ingress that routes {@code {service}.{namespace}.{domain}} to the functions (0: a
 *                    free port), or {@code -1}: no ingress
 * @param kubeconfig  where to write a kubeconfig for kubectl (read-only: no credentials), or {@code null}
 * @param namespace   the namespace the kubeconfig's context selects
 * @param nodeRuntime the command that starts the Node.js runtime (KLAMBDA_LOCAL_NODE_RUNTIME)
 * @param sandbox     "bwrap" (each function in a bubblewrap sandbox, the default) or "off" (plain host processes)
 * @param bwrap       the bubblewrap command
 * @param stateFile   where the objects are kept across restarts, or {@code null}: in memory only
 * @param restartBackoff how long a crashed function waits before it starts again (doubled per crash, capped)
 */
public record LocalClusterSettings(String host, int port, Path tokenFile, Path workDir, List<String> pythonRuntime,
        boolean pythonForkServer, List<String> javaRuntime, String registryScheme, Duration startTimeout, String runner,
        String domain, int ingressPort, Path kubeconfig, String namespace, List<String> nodeRuntime,
        String sandbox, String bwrap, Path stateFile, RestartBackoff restartBackoff) {

    /** Reads {@code KLAMBDA_LOCAL_*} from {@code env}. */
    public static LocalClusterSettings from(Map<String, String> env) {
        Path workDir = Path.of(env.getOrDefault("KLAMBDA_LOCAL_WORK_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "klambda-local").toString()));
        String runner = env.getOrDefault("KLAMBDA_LOCAL_RUNNER", "process");
        if (!runner.equals("process") && !runner.equals("instant")) {
            throw new IllegalArgumentException("KLAMBDA_LOCAL_RUNNER must be process or instant, not " + runner);
        }
        String domain = env.getOrDefault("KLAMBDA_LOCAL_DOMAIN", "").trim();
        String ingress = env.getOrDefault("KLAMBDA_LOCAL_INGRESS_PORT", "").trim();
        String kubeconfig = env.getOrDefault("KLAMBDA_LOCAL_KUBECONFIG", "").trim();
        String sandbox = env.getOrDefault("KLAMBDA_LOCAL_SANDBOX", "bwrap");
        if (!sandbox.equals("bwrap") && !sandbox.equals("off")) {
            throw new IllegalArgumentException("KLAMBDA_LOCAL_SANDBOX must be bwrap or off, not " + sandbox);
        }
        String state = env.getOrDefault("KLAMBDA_LOCAL_STATE_FILE", "").trim(); // make run: .run/local-cluster-state.json
        return new LocalClusterSettings(
                env.getOrDefault("KLAMBDA_LOCAL_CLUSTER_HOST", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("KLAMBDA_LOCAL_CLUSTER_PORT", "8083")),
                Path.of(env.getOrDefault("KLAMBDA_LOCAL_CLUSTER_TOKEN_FILE", workDir.resolve("api-token").toString())),
                workDir,
                words(env.getOrDefault("KLAMBDA_LOCAL_PYTHON_RUNTIME", "python3 -u function-runtime/python/klambda_local.py")),
                Boolean.parseBoolean(env.getOrDefault("KLAMBDA_LOCAL_PYTHON_FORK_SERVER", "true")),
                words(env.getOrDefault("KLAMBDA_LOCAL_JAVA_RUNTIME",
                        "java @function-runtime/java/jvm.options -jar function-runtime/java/target/runtime-app/klambda-runtime.jar")),
                env.getOrDefault("KLAMBDA_LOCAL_REGISTRY_SCHEME", "http"),
                duration("KLAMBDA_LOCAL_START_TIMEOUT", env.getOrDefault("KLAMBDA_LOCAL_START_TIMEOUT", "60s")),
                runner,
                domain.isEmpty() ? null : domain,
                ingress.isEmpty() ? -1 : port("KLAMBDA_LOCAL_INGRESS_PORT", ingress),
                kubeconfig.isEmpty() ? null : Path.of(kubeconfig),
                env.getOrDefault("KLAMBDA_LOCAL_NAMESPACE", "local"),
                words(env.getOrDefault("KLAMBDA_LOCAL_NODE_RUNTIME", String.join(" ",
                        io.knative.lambda.localcluster.process.LocalRuntimes.NODE))),
                sandbox,
                env.getOrDefault("KLAMBDA_LOCAL_BWRAP", "bwrap"),
                state.isEmpty() ? null : Path.of(state),
                new RestartBackoff(duration("KLAMBDA_LOCAL_RESTART_BACKOFF", env.getOrDefault("KLAMBDA_LOCAL_RESTART_BACKOFF",
                        "10s")), duration("KLAMBDA_LOCAL_RESTART_MAX_BACKOFF",
                                env.getOrDefault("KLAMBDA_LOCAL_RESTART_MAX_BACKOFF", "5m"))));
    }

    private static int port(String key, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(key + " must be a port number (0: any free port), not " + value);
    }

    private static List<String> words(String command) {
        return List.of(command.trim().split("\\s+"));
    }

    /** {@code 60s}, {@code 500ms}, {@code 2m}. */
    static Duration duration(String key, String value) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be like 60s, 500ms or 2m, not " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /**
     * The Python command with its interpreter resolved once to the real executable: a bare {@code python3} may be a
     * version-manager shim (pyenv) that costs about half a second per function start.
     */
    public List<String> resolvedPythonRuntime() {
        if (pythonRuntime.isEmpty() || pythonRuntime.get(0).contains("/")) {
            return pythonRuntime;
        }
        try {
            Process p = new ProcessBuilder(pythonRuntime.get(0), "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("/")) {
                List<String> resolved = new ArrayList<>(pythonRuntime);
                resolved.set(0, out);
                return List.copyOf(resolved);
            }
        } catch (java.io.IOException e) {
            System.getLogger(LocalClusterSettings.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot run " + pythonRuntime.get(0) + " to find its executable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return pythonRuntime;
    }
}
