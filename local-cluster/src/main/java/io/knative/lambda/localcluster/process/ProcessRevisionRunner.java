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
import java.util.concurrent.ScheduledExecutorService;
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
 * once and for all (its process, if any, stopped). Supervised as Knative restarts a container: a ready revision whose
 * process exits is Failed {@code ContainerExited} (the Service is Ready=False) and started again after a backoff that
 * doubles per crash ({@link RestartBackoff}). Each process is recorded in {@code workDir/<revision>/process.pid}
 * ({@link OwnedProcess}): a later run of the cluster adopts the processes of the revisions it still has (same pid and
 * start time, still answering) and stops the others ({@link #restored}).
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
    private final ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "function-restart");
        t.setDaemon(true);
        return t;
    });
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Instance> instances = new HashMap<>();
    private final Map<String, OwnedProcess> found = new HashMap<>();
    private final RestartBackoff backoff;

    /** One revision's instance: its state and, once started, its process. */
    private static final class Instance {
        volatile RevisionState state = STARTING;
        volatile FunctionProcess process;
        volatile int crashes;
        volatile long readySince;
    }

    public ProcessRevisionRunner(OciImagePuller puller, FunctionLauncher launcher, Path workDir) {
        this(puller, launcher, workDir, RestartBackoff.KNATIVE);
    }

    /** With the restart backoff of crashed functions. */
    public ProcessRevisionRunner(OciImagePuller puller, FunctionLauncher launcher, Path workDir, RestartBackoff backoff) {
        this.puller = puller;
        this.launcher = launcher;
        this.workDir = workDir;
        this.backoff = backoff;
        try (var dirs = Files.isDirectory(workDir) ? Files.list(workDir) : java.util.stream.Stream.<Path>empty()) {
            dirs.forEach(d -> OwnedProcess.read(d.resolve(PID_FILE)).ifPresent(p -> found.put(d.getFileName().toString(), p)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + workDir + " for processes of an earlier run: " + e);
        }
    }

    /** The pid file of a revision's process, in its directory. */
    public static final String PID_FILE = "process.pid";

    @Override
    public void restored(java.util.Set<String> revisions) {
        List<String> orphans;
        synchronized (instances) {
            orphans = found.keySet().stream().filter(name -> !revisions.contains(name)).toList();
        }
        for (String name : orphans) {
            OwnedProcess p;
            synchronized (instances) {
                p = found.remove(name);
            }
            if (p != null && p.stop(10)) {
                LOG.log(System.Logger.Level.INFO, "stopped process " + p.pid() + " of " + name + ", a revision this cluster"
                        + " no longer has");
            }
            deletePidFile(name);
        }
    }

    @Override
    public RevisionState run(Revision revision) {
        String key = revision.getMetadata().getNamespace() + "/" + revision.getMetadata().getName();
        Instance instance;
        synchronized (instances) {
            instance = instances.get(key);
            if (instance != null) {
                FunctionProcess process = instance.process;
                if (instance.state instanceof RevisionState.Ready && !process.alive()) {
                    crashed(key, instance, revision, process); // seen before its exit was reported
                }
                return instance.state;
            }
            instance = new Instance();
            instances.put(key, instance);
            OwnedProcess earlier = found.remove(revision.getMetadata().getName());
            if (earlier != null) {
                RevisionState adopted = adopt(key, instance, revision, earlier);
                if (adopted != null) {
                    return adopted;
                }
            }
        }
        Instance started = instance;
        starter.execute(() -> start(key, started, revision));
        return STARTING;
    }

    /** Takes over the process an earlier run started, when it is still that process and answers; else stops it. */
    private RevisionState adopt(String key, Instance instance, Revision revision, OwnedProcess earlier) {
        String name = revision.getMetadata().getName();
        var live = earlier.live();
        var process = live.flatMap(h -> FunctionProcess.adopt(name, revision.getSpec().getContainers().get(0).getImage(),
                earlier.port(), h, workDir.resolve(name).resolve("function")));
        if (process.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "adopted " + name + "'s process " + earlier.pid() + " (" + process.get().url()
                    + ") from an earlier run");
            instance.process = process.get();
            instance.state = new RevisionState.Ready(process.get().url());
            supervise(key, instance, revision, process.get());
            return instance.state;
        }
        if (live.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "replacing " + name + "'s process " + earlier.pid() + " of an earlier run: it"
                    + " does not answer");
            stopper.execute(() -> earlier.stop(10));
        }
        return null;
    }

    /** Watches a ready process: when it exits on its own, the revision is ContainerExited and restarted after a backoff. */
    private void supervise(String key, Instance instance, Revision revision, FunctionProcess process) {
        instance.readySince = System.nanoTime();
        process.handle().onExit().thenRun(() -> {
            boolean first;
            synchronized (instances) {
                first = crashed(key, instance, revision, process);
            }
            if (first) {
                notifyChange(revision);
            }
        });
    }

    /**
     * Records that the instance's ready process exited (under the lock): Failed ContainerExited and a restart scheduled
     * after the backoff; {@code false} when that was recorded already, or the process was stopped or replaced on purpose.
     */
    private boolean crashed(String key, Instance instance, Revision revision, FunctionProcess process) {
        if (instances.get(key) != instance || instance.process != process || !(instance.state instanceof RevisionState.Ready)) {
            return false;
        }
        instance.crashes = java.time.Duration.ofNanos(System.nanoTime() - instance.readySince).compareTo(backoff.max()) > 0
                ? 1 : instance.crashes + 1;
        java.time.Duration wait = backoff.after(instance.crashes);
        instance.state = new RevisionState.Failed("ContainerExited", revision.getMetadata().getName() + "'s process "
                + process.pid() + " ended (" + process.exitDescription() + "); restarting it in " + wait.toMillis() + " ms");
        LOG.log(System.Logger.Level.WARNING, ((RevisionState.Failed) instance.state).message());
        restarter.schedule(() -> restart(key, instance, revision), wait.toMillis(), TimeUnit.MILLISECONDS);
        stopper.execute(() -> deletePidFile(revision.getMetadata().getName()));
        return true;
    }

    private void restart(String key, Instance instance, Revision revision) {
        synchronized (instances) {
            if (instances.get(key) != instance) {
                return;
            }
            instance.process = null;
            instance.state = STARTING;
        }
        notifyChange(revision);
        starter.execute(() -> start(key, instance, revision));
    }

    private void notifyChange(Revision revision) {
        String service = revision.getMetadata().getLabels().get(Revisions.SERVICE_LABEL);
        listeners.forEach(l -> l.accept(revision.getMetadata().getNamespace(), service));
    }

    private void deletePidFile(String revision) {
        try {
            Files.deleteIfExists(workDir.resolve(revision).resolve(PID_FILE));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete the pid file of " + revision + ": " + e);
        }
    }

    private void start(String key, Instance instance, Revision revision) {
        String name = revision.getMetadata().getName();
        String service = revision.getMetadata().getLabels().get(Revisions.SERVICE_LABEL);
        Container container = revision.getSpec().getContainers().get(0);
        Path dir = workDir.resolve(name);
        RevisionState state;
        FunctionProcess process = null;
        try {
            long began = System.nanoTime();
            Files.createDirectories(dir);
            OciImagePuller.PulledFunction pulled = puller.pull(container.getImage(), dir.resolve("function"));
            long pulledAt = System.nanoTime();
            process = launcher.launch(service, name, container.getImage(), pulled.environment(), container.getEnv(),
                    pulled.functionDir(), dir.resolve("function.log"));
            state = new RevisionState.Ready(process.url());
            LOG.log(System.Logger.Level.INFO, name + " ready (pid " + process.pid() + "): pulled and unpacked in "
                    + (pulledAt - began) / 1_000_000 + " ms, started and answering in " + (System.nanoTime() - pulledAt)
                    / 1_000_000 + " ms");
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
        } else if (process != null) {
            try {
                OwnedProcess.of(process.handle(), process.port()).write(dir.resolve(PID_FILE));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot write the pid file of " + name + ": " + e);
            }
            supervise(key, instance, revision, process);
        }
        notifyChange(revision);
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
            stopper.execute(() -> { // SIGTERM, then SIGKILL after 10 s: not on the caller's thread
                process.stop();
                deletePidFile(revision);
            });
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
        restarter.shutdownNow();
        starter.shutdownNow(); // a function still starting is stopped by its start
        all.forEach(p -> stopper.execute(() -> {
            p.stop();
            deletePidFile(p.revision());
        }));
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
