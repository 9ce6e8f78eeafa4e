package io.knative.lambda.localcluster;

import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

import io.knative.lambda.localcluster.api.ApiServer;
import io.knative.lambda.localcluster.api.BearerToken;
import io.knative.lambda.localcluster.api.Kubeconfig;
import io.knative.lambda.localcluster.ingress.Ingress;
import io.knative.lambda.localcluster.process.FunctionLauncher;
import io.knative.lambda.localcluster.process.LocalRuntimes;
import io.knative.lambda.localcluster.process.OciImagePuller;
import io.knative.lambda.localcluster.process.ProcessRevisionRunner;
import io.knative.lambda.localcluster.process.Sandbox;
import io.knative.lambda.localcluster.serving.ControllerLoop;
import io.knative.lambda.localcluster.serving.InstantRevisionRunner;
import io.knative.lambda.localcluster.serving.RevisionRunner;
import io.knative.lambda.localcluster.serving.ServingController;
import io.knative.lambda.localcluster.serving.StoreServingObjects;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.store.StateFile;

/**
 * Knative Serving on one machine (local mode): the object store, its Kubernetes API server, the Serving
 * controller, the revision runner and the ingress, started together and stopped together ({@link #close()} stops every
 * function process). {@link #main} runs it from environment variables until SIGTERM.
 */
public final class LocalCluster implements AutoCloseable {

    private final ObjectStore store;
    private final RevisionRunner runner;
    private final ControllerLoop loop;
    private final ApiServer api;
    private final Ingress ingress;
    private final StateFile state;

    private LocalCluster(ObjectStore store, RevisionRunner runner, ControllerLoop loop, ApiServer api, Ingress ingress,
            StateFile state) {
        this.store = store;
        this.runner = runner;
        this.loop = loop;
        this.api = api;
        this.ingress = ingress;
        this.state = state;
    }

    /**
     * Starts the cluster with {@code runner} running its revisions; with an ingress port, Service URLs are the ingress's
     * ({@code http://{name}.{namespace}.localhost:PORT}); with a kubeconfig path, writes the kubeconfig for kubectl.
     */
    public static LocalCluster start(LocalClusterSettings settings, RevisionRunner runner, BearerToken token)
            throws IOException {
        ObjectStore store = new ObjectStore(Clock.systemUTC());
        StateFile state = settings.stateFile() == null ? null : StateFile.open(store, settings.stateFile());
        java.util.Set<String> revisions = new java.util.HashSet<>();
        store.list(ResourceType.REVISIONS, null, o -> true).items()
                .forEach(rev -> revisions.add(rev.path("metadata").path("name").asText()));
        runner.restored(revisions);
        Ingress ingress = null;
        String domain = settings.domain();
        if (settings.ingressPort() >= 0) {
            String host = domain == null ? "localhost" : domain;
            ingress = Ingress.start(store, runner, settings.host(), settings.ingressPort(), host);
            domain = ingress.port() == 80 ? host : host + ":" + ingress.port();
        }
        ServingController controller = new ServingController(new StoreServingObjects(store), runner, domain,
                Clock.systemUTC());
        ControllerLoop loop = ControllerLoop.watching(store, controller, runner, 4);
        // what was reloaded is reconciled at once: its revisions adopted (or started again) and its status made true
        store.list(ResourceType.SERVICES, null, o -> true).items().forEach(svc -> loop.enqueue(
                svc.path("metadata").path("namespace").asText(), svc.path("metadata").path("name").asText()));
        ApiServer api = null;
        try {
            api = ApiServer.start(store, settings.host(), settings.port(), token);
            if (settings.kubeconfig() != null) {
                Kubeconfig.write(settings.kubeconfig(), api.url(), settings.namespace());
            }
            return new LocalCluster(store, runner, loop, api, ingress, state);
        } catch (IOException | RuntimeException e) {
            if (api != null) {
                api.close();
            }
            if (ingress != null) {
                ingress.close();
            }
            loop.close();
            runner.close();
            if (state != null) {
                state.close();
            }
            throw e;
        }
    }

    /** The runner {@code settings} ask for: host processes or instantly ready revisions. */
    public static RevisionRunner runner(LocalClusterSettings settings) {
        if ("instant".equals(settings.runner())) {
            return new InstantRevisionRunner();
        }
        LocalRuntimes runtimes = new LocalRuntimes(settings.resolvedPythonRuntime(), settings.javaRuntime(),
                settings.pythonForkServer(), settings.nodeRuntime());
        return new ProcessRevisionRunner(new OciImagePuller(new com.fasterxml.jackson.databind.ObjectMapper(),
                settings.registryScheme()), new FunctionLauncher(runtimes, sandbox(settings), settings.workDir(),
                settings.startTimeout()), settings.workDir(), settings.restartBackoff());
    }

    /** The functions' sandbox; without bubblewrap the local cluster does not start unless KLAMBDA_LOCAL_SANDBOX=off. */
    static Sandbox sandbox(LocalClusterSettings settings) {
        if ("off".equals(settings.sandbox())) {
            return Sandbox.off();
        }
        try {
            return Sandbox.bubblewrap(settings.bwrap());
        } catch (Sandbox.SandboxUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The store behind the API. */
    public ObjectStore store() {
        return store;
    }

    /** The API server's URL. */
    public String url() {
        return api.url();
    }

    /** The ingress's URL ({@code http://host:port}), or {@code null} when there is none. */
    public String ingressUrl() {
        return ingress == null ? null : ingress.url();
    }

    /** Stops the API, the ingress, the controller and every function process. */
    @Override
    public void close() {
        api.close();
        if (ingress != null) {
            ingress.close();
        }
        loop.close();
        runner.close();
        if (state != null) {
            state.close();
        }
    }

    public static void main(String[] args) throws Exception {
        // the JDK's HTTP server leaves Nagle's algorithm on: a small response written in two segments then waits for
        // the client's delayed ACK (40 ms on Linux), on every API call and every request through the ingress
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tH:%1$tM:%1$tS.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        LocalClusterSettings settings = LocalClusterSettings.from(System.getenv());
        BearerToken token = BearerToken.inFile(settings.tokenFile());
        LocalCluster cluster = start(settings, runner(settings), token);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "local-cluster-stop"));
        System.getLogger(LocalCluster.class.getName()).log(System.Logger.Level.INFO, "local cluster: Kubernetes API on "
                + cluster.url() + " (writes need the token in " + settings.tokenFile() + "), revisions run by "
                + settings.runner() + (settings.runner().equals("process") ? " in " + settings.workDir() : "")
                + (cluster.ingressUrl() != null ? ", ingress on " + cluster.ingressUrl() + " (Service URLs http://{service}"
                        + ".{namespace}." + (settings.domain() == null ? "localhost" : settings.domain()) + ":PORT/)"
                        : ", Service URLs " + (settings.domain() == null ? "of their processes" : "under " + settings.domain()))
                + (settings.kubeconfig() == null ? "" : "; kubectl: export KUBECONFIG=" + settings.kubeconfig()));
        stopped.await();
    }
}
