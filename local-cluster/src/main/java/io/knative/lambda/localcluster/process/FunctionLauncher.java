package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;

/**
 * How a revision's function starts on this machine: an environment built from nothing ({@link #BASE}, the image's
 * environment, the container's, Knative's {@code K_SERVICE}/{@code K_REVISION}), never the local cluster's own (the
 * operator's credentials, the platform's settings); the runtime named by {@code FUNCTION_RUNTIME} (Python by default; Node.js functions find their {@code node_modules} layer in the unpacked
 * {@code /function})
 * started with the command of {@link LocalRuntimes} inside the {@link Sandbox}. Python functions start from an
 * interpreter that has imported the runtime already (unless {@code KLAMBDA_LOCAL_PYTHON_FORK_SERVER=false}): forked by
 * the {@link PythonForkServer}, in the sandbox by a sandboxed one whose child builds the function's sandbox itself (the
 * same {@link Sandbox#options options} bwrap would get). Where that cannot be (no user namespace, a sandbox the kernel
 * refuses to build, {@code PYTHON*} variables, read when an interpreter starts) a sandboxed function starts in bwrap,
 * from a {@link SpareSandboxes spare} when one fits; without a fork server each starts an interpreter of its own. All
 * of the command line of local mode's functions is here.
 */
public final class FunctionLauncher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FunctionLauncher.class.getName());

    /** What every function gets besides its own variables: a minimal PATH, HOME on its private /tmp, a UTF-8 locale. */
    static final Map<String, String> BASE = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/tmp", "LANG", "C.UTF-8");

    private final LocalRuntimes runtimes;
    private final Sandbox sandbox;
    private final PythonForkServer forkServer;
    private final Path workDir;
    private SpareSandboxes spares;
    private final Duration startTimeout;
    private final Ports ports;
    private volatile boolean forkServerUnavailable;

    /** Where each start's port comes from: {@link FunctionPorts#SHARED}, free when handed out. */
    @FunctionalInterface
    interface Ports {
        int next() throws IOException;
    }

    /**
     * @param workDir      where the fork server's socket and log go
     * @param startTimeout how long a function may take to answer its readiness probe
     */
    public FunctionLauncher(LocalRuntimes runtimes, Sandbox sandbox, Path workDir, Duration startTimeout) {
        this(runtimes, sandbox, workDir, startTimeout, FunctionPorts.SHARED);
    }

    /** As above, with the ports taken from {@code ports}. */
    FunctionLauncher(LocalRuntimes runtimes, Sandbox sandbox, Path workDir, Duration startTimeout, Ports ports) {
        this(runtimes, sandbox, workDir, startTimeout, ports, sandbox.forkable());
    }

    /** As above; {@code forkInSandbox} false: sandboxed Python functions start in bwrap (from a spare), never forked. */
    FunctionLauncher(LocalRuntimes runtimes, Sandbox sandbox, Path workDir, Duration startTimeout, Ports ports,
            boolean forkInSandbox) {
        this.ports = ports;
        this.runtimes = runtimes;
        this.sandbox = sandbox;
        this.workDir = workDir;
        this.forkServer = new PythonForkServer(runtimes.python(), workDir, sandbox.enabled());
        this.forkServerUnavailable = sandbox.enabled() && !(forkInSandbox && sandbox.forkable());
        if (this.forkServerUnavailable && runtimes.pythonForkServer()) {
            spares();
        }
        this.startTimeout = startTimeout;
    }

    /**
     * Starts the function unpacked in {@code functionDir} and waits until it is ready.
     *
     * @param imageEnvironment the image's {@code Env} (its {@code PATH} is not used: the host's is)
     * @param containerEnv     the revision's container {@code env}
     * @throws IOException when it cannot start or is not ready in time; the message ends with its log
     */
    public FunctionProcess launch(String service, String revision, String image, Map<String, String> imageEnvironment,
            List<EnvVar> containerEnv, Path functionDir, Path log) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(BASE);
        imageEnvironment.forEach((name, value) -> {
            if (!"PATH".equals(name)) {
                env.put(name, value);
            }
        });
        if (containerEnv != null) {
            for (EnvVar e : containerEnv) {
                if (e.getValue() != null) {
                    env.put(e.getName(), e.getValue());
                }
            }
        }
        env.put("K_SERVICE", service);
        env.put("K_REVISION", revision);
        String runtime = env.getOrDefault("FUNCTION_RUNTIME", "python");
        LOG.log(System.Logger.Level.INFO, "starting " + revision + " (" + image + ", " + runtime + " runtime)");
        for (int attempt = 1; ; attempt++) {
            try {
                return start(revision, image, ports.next(), runtime, env, functionDir, log);
            } catch (IOException e) {
                if (attempt == PORT_ATTEMPTS || !portTaken(e)) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, revision + "'s port was taken before it listened; starting it again on"
                        + " another port: " + e.getMessage());
            }
        }
    }

    /** How often a function whose port was taken between its choice and its bind is started on another one. */
    private static final int PORT_ATTEMPTS = 3;

    /** The runtime said its port was taken (EADDRINUSE, in each runtime's words), in the end of its log. */
    private static boolean portTaken(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Address already in use") || message.contains("EADDRINUSE");
    }

    private FunctionProcess start(String revision, String image, int port, String runtime, Map<String, String> env,
            Path functionDir, Path log) throws IOException {
        // the dependency layer local mode unpacked beside the function (FUNCTION_DEPS_DIR) is the function's own too
        String deps = env.get("FUNCTION_DEPS_DIR");
        List<Path> alsoReadOnly = deps != null && deps.startsWith("/") && Files.isDirectory(Path.of(deps))
                ? List.of(Path.of(deps)) : List.of();
        if (runtimes.forked(runtime) && !forkServerUnavailable && (!sandbox.enabled() || noPythonVariables(env))) {
            try {
                return FunctionProcess.startForked(revision, image, port, forkServer, env, functionDir, log, startTimeout,
                        sandbox.enabled() ? sandbox.options(runtimes.python(), functionDir, alsoReadOnly) : null);
            } catch (PythonForkServer.UnavailableException | PythonForkServer.SandboxFailedException e) {
                forkServerUnavailable = true;
                LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; Python functions start their own interpreter"
                        + (sandbox.enabled() ? " in bwrap" : "") + " from now on");
            }
        }
        if (sandbox.enabled() && runtimes.forked(runtime) && forkServerUnavailable && warmStartFits(env, log)) {
            var spare = spares().take();
            if (spare.isPresent()) {
                LOG.log(System.Logger.Level.DEBUG, revision + " starts in a spare sandbox");
                return FunctionProcess.startSpare(revision, image, port, spare.get(), env, functionDir, log, startTimeout);
            }
        }
        return FunctionProcess.start(revision, image, port, sandbox.wrap(runtimes.command(runtime), functionDir, alsoReadOnly), env,
                functionDir, log, startTimeout);
    }

    /**
     * Whether a spare sandbox can become this function: one without a dependency layer (its sandbox shows the function's
     * folder only), no {@code PYTHON*} variable (read when an interpreter starts), and a first start (no log yet).
     */
    private static boolean warmStartFits(Map<String, String> env, Path log) {
        return !env.containsKey("FUNCTION_DEPS_DIR") && noPythonVariables(env) && !Files.exists(log);
    }

    /** No {@code PYTHON*} variable: an interpreter already started (forked, or a spare) can become the function. */
    private static boolean noPythonVariables(Map<String, String> env) {
        return env.keySet().stream().noneMatch(k -> k.startsWith("PYTHON"));
    }

    /** The spare sandboxes, started on first need (sandboxed Python functions that are not forked). */
    private synchronized SpareSandboxes spares() {
        if (spares == null) {
            spares = new SpareSandboxes(runtimes.python(), sandbox, workDir);
        }
        return spares;
    }

    /** Whether a spare sandbox is up, waiting for the next Python function. */
    synchronized boolean spareReady() {
        return spares != null && spares.ready();
    }

    /** Stops the fork server and the spare sandbox (the functions they started are stopped by their owners). */
    @Override
    public void close() {
        forkServer.close();
        SpareSandboxes started;
        synchronized (this) {
            started = spares;
        }
        if (started != null) {
            started.close();
        }
    }
}
