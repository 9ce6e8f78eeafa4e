package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.kubernetes.api.model.Container;
import io.knative.lambda.localcluster.serving.RevisionRunner;
import io.knative.lambda.localcluster.serving.RevisionState;
import io.knative.lambda.localcluster.serving.Revisions;

/**
 * Local mode's {@link RevisionRunner}: a revision runs as a host process: its image pulled by digest from the
 * registry ({@link OciImagePuller}), its {@code /function} layer unpacked under {@code workDir/<revision>}, its
 * runtime started on a free loopback port ({@link FunctionLauncher}), ready when {@code /health/ready} answers.
 * Starting happens in the background (the revision is Pending meanwhile); a revision that cannot start is Failed
 * once and for all (its process, if any, stopped); a ready one whose process died is started again when next run.
 */
public final class ProcessRevisionRunner implements RevisionRunner {

    private static final System.Logger LOG = System.getLogger(ProcessRevisionRunner.class.getName());
    private static final RevisionState.Pending STARTING = new RevisionState.Pending("Deploying",
            "the revision's image is being pulled and its function started");

    private final OciImagePuller puller;
    private final FunctionLauncher launcher;
    private final Path workDir;
    private final ExecutorService starter = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "function-start");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService stopper = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "function-stop");
        t.setDaemon(true);
        return t;
    });
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Instance> instances = new HashMap<>();

    /** One revision's instance: its state and, once started, its process. */
    private static final class Instance {
        volatile RevisionState state = STARTING;
        volatile FunctionProcess process;
    }

    public ProcessRevisionRunner(OciImagePuller puller, FunctionLauncher launcher, Path workDir) {
        this.puller = puller;
        this.launcher = launcher;
        this.workDir = workDir;
    }

    @Override
    public RevisionState run(Revision revision) {
        String key = revision.getMetadata().getNamespace() + "/" + revision.getMetadata().getName();
        Instance instance;
        synchronized (instances) {
            instance = instances.get(key);
            if (instance != null) {
                FunctionProcess process = instance.process;
                if (!(instance.state instanceof RevisionState.Ready) || process.alive()) {
                    return instance.state;
                }
                LOG.log(System.Logger.Level.WARNING, revision.getMetadata().getName() + "'s process " + process.pid()
                        + " exited; starting it again");
            }
            instance = new Instance();
            instances.put(key, instance);
        }
        Instance started = instance;
        starter.execute(() -> start(key, started, revision));
        return STARTING;
    }

    private void start(String key, Instance instance, Revision revision) {
        String name = revision.getMetadata().getName();
        String service = revision.getMetadata().getLabels().get(Revisions.SERVICE_LABEL);
        Container container = revision.getSpec().getContainers().get(0);
        Path dir = workDir.resolve(name);
        RevisionState state;
        FunctionProcess process = null;
        try {
            Files.createDirectories(dir);
            OciImagePuller.PulledFunction pulled = puller.pull(container.getImage(), dir.resolve("function"));
            process = launcher.launch(service, name, container.getImage(), pulled.environment(), container.getEnv(),
                    pulled.functionDir(), dir.resolve("function.log"));
            state = new RevisionState.Ready(process.url());
        } catch (ImagePullException e) {
            state = new RevisionState.Failed("ContainerMissing", e.getMessage());
        } catch (IOException e) {
            state = new RevisionState.Failed("ContainerFailed", "the function did not become ready: " + e.getMessage());
        } catch (RuntimeException e) {
            state = new RevisionState.Failed("ContainerFailed", "the function could not start: " + e);
        }
        boolean current;
        synchronized (instances) {
            current = instances.get(key) == instance;
            instance.process = process;
            instance.state = state;
        }
        if (!current) {
            if (process != null) { // stopped or replaced while it started
                process.stop();
            }
            return;
        }
        if (state instanceof RevisionState.Failed f) {
            LOG.log(System.Logger.Level.WARNING, name + ": " + f.message());
        }
        String namespace = revision.getMetadata().getNamespace();
        listeners.forEach(l -> l.accept(namespace, service));
    }

    @Override
    public Optional<String> endpoint(String namespace, String revision) {
        Instance instance;
        synchronized (instances) {
            instance = instances.get(namespace + "/" + revision);
        }
        FunctionProcess process = instance == null ? null : instance.process;
        return instance != null && instance.state instanceof RevisionState.Ready ready && process != null && process.alive()
                ? Optional.of(ready.endpoint()) : Optional.empty();
    }

    @Override
    public void stop(String namespace, String revision) {
        Instance instance;
        synchronized (instances) {
            instance = instances.remove(namespace + "/" + revision);
        }
        FunctionProcess process = instance == null ? null : instance.process;
        if (process != null) {
            LOG.log(System.Logger.Level.INFO, "stopping " + revision + " (pid " + process.pid() + ")");
            stopper.execute(process::stop); // SIGTERM, then SIGKILL after 10 s: not on the caller's thread
        }
    }

    @Override
    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    /** The pid of every running function process, for tests and diagnostics. */
    public List<Long> pids() {
        synchronized (instances) {
            List<Long> pids = new ArrayList<>();
            instances.values().forEach(i -> {
                if (i.process != null && i.process.alive()) {
                    pids.add(i.process.pid());
                }
            });
            return pids;
        }
    }

    /** Stops every function process (in parallel) and the fork server. */
    @Override
    public void close() {
        List<FunctionProcess> all = new ArrayList<>();
        synchronized (instances) {
            instances.values().forEach(i -> {
                if (i.process != null) {
                    all.add(i.process);
                }
            });
            instances.clear();
        }
        starter.shutdownNow(); // a function still starting is stopped by its start
        all.forEach(p -> stopper.execute(p::stop));
        stopper.shutdown();
        try {
            starter.awaitTermination(70, TimeUnit.SECONDS);
            stopper.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        launcher.close();
    }
}
