package io.knative.lambda.deployer.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.pkg.apis.ConditionBuilder;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.knative.lambda.deployer.core.ConflictException;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.KnativeObjects;

/**
 * Local mode's deploy target (DESIGN §2): the same Knative objects the deployer writes on a cluster,
 * kept in memory, with a small controller that plays Knative Serving on this machine — each new
 * template becomes a Revision; the revision that takes the traffic runs as a host process (its image
 * pulled from the registry, its {@code /function} layer run by the project's runtime); the Service's
 * status gets Ready, the URL and the revision names, or Ready=False with the reason when it cannot
 * run. Replacing the image replaces the process; deleting the Service stops it.
 */
public final class LocalFunctionCluster implements FunctionCluster, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalFunctionCluster.class);
    private static final String TEMPLATE_HASH = "local.knative-lambda.io/template-hash";
    private static final String SERVICE_LABEL = "serving.knative.dev/service";

    private final OciImagePuller puller;
    private final LocalRuntimes runtimes;
    private final PythonForkServer forkServer;
    private volatile boolean forkServerUnavailable;
    private final Path workDir;
    private final Duration startTimeout;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final ExecutorService controller = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "local-knative");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    private final Map<String, Service> services = new TreeMap<>();
    private final Map<String, Trigger> triggers = new TreeMap<>();
    private final Map<String, Revision> revisions = new TreeMap<>();
    private final Map<String, FunctionProcess> running = new HashMap<>();
    private final Map<String, Object> serviceLocks = new HashMap<>();
    private long resourceVersion;

    public LocalFunctionCluster(OciImagePuller puller, LocalRuntimes runtimes, Path workDir, Duration startTimeout) {
        this.puller = puller;
        this.runtimes = runtimes;
        this.forkServer = new PythonForkServer(runtimes.python(), workDir);
        this.workDir = workDir;
        this.startTimeout = startTimeout;
    }

    // ---- FunctionCluster: Services

    @Override
    public Optional<Service> getService(String name) {
        synchronized (lock) {
            return Optional.ofNullable(services.get(name)).map(this::copy);
        }
    }

    @Override
    public Service createService(Service service) {
        Service stored = copy(service);
        synchronized (lock) {
            String name = stored.getMetadata().getName();
            if (services.containsKey(name)) {
                throw new ConflictException("Service", name, "already exists", null);
            }
            stored.getMetadata().setGeneration(1L);
            stored.getMetadata().setUid(UUID.randomUUID().toString());
            stored.getMetadata().setCreationTimestamp(now());
            stored.getMetadata().setResourceVersion(nextVersion());
            stored.setStatus(null);
            services.put(name, stored);
            lock.notifyAll();
        }
        reconcileLater(stored.getMetadata().getName());
        return copy(stored);
    }

    @Override
    public Service updateService(Service service) {
        Service stored;
        synchronized (lock) {
            String name = service.getMetadata().getName();
            Service current = services.get(name);
            if (current == null) {
                throw new ConflictException("Service", name, "does not exist", null);
            }
            if (!Objects.equals(current.getMetadata().getResourceVersion(), service.getMetadata().getResourceVersion())) {
                throw new ConflictException("Service", name, "resourceVersion " + service.getMetadata().getResourceVersion()
                        + " is stale (now " + current.getMetadata().getResourceVersion() + ")", null);
            }
            stored = copy(service);
            boolean specChanged = !serialization.asJson(current.getSpec()).equals(serialization.asJson(stored.getSpec()));
            stored.getMetadata().setGeneration(current.getMetadata().getGeneration() + (specChanged ? 1 : 0));
            stored.getMetadata().setUid(current.getMetadata().getUid());
            stored.getMetadata().setCreationTimestamp(current.getMetadata().getCreationTimestamp());
            stored.getMetadata().setResourceVersion(nextVersion());
            stored.setStatus(current.getStatus());
            services.put(name, stored);
            lock.notifyAll();
        }
        reconcileLater(stored.getMetadata().getName());
        return copy(stored);
    }

    @Override
    public boolean deleteService(String name) {
        FunctionProcess process;
        boolean existed;
        synchronized (lock) {
            existed = services.remove(name) != null;
            revisions.values().removeIf(r -> name.equals(r.getMetadata().getLabels().get(SERVICE_LABEL)));
            process = running.remove(name);
            lock.notifyAll();
        }
        if (process != null) {
            LOG.infof("stopping %s (%s)", name, process.revision());
            process.stop();
        }
        return existed;
    }

    @Override
    public List<Service> servicesOfFunction(String functionId) {
        synchronized (lock) {
            return services.values().stream()
                    .filter(s -> s.getMetadata().getLabels() != null
                            && functionId.equals(s.getMetadata().getLabels().get("io.knative.lambda/function-id")))
                    .map(this::copy).toList();
        }
    }

    /** Every Service, for the local {@code kubectl get ksvc}. */
    public List<Service> services() {
        synchronized (lock) {
            return services.values().stream().map(this::copy).toList();
        }
    }

    // ---- Triggers: kept, since the local broker routes invoke events from deploy.completed

    @Override
    public Optional<Trigger> getTrigger(String name) {
        synchronized (lock) {
            return Optional.ofNullable(triggers.get(name)).map(this::copy);
        }
    }

    @Override
    public Trigger createTrigger(Trigger trigger) {
        synchronized (lock) {
            String name = trigger.getMetadata().getName();
            if (triggers.containsKey(name)) {
                throw new ConflictException("Trigger", name, "already exists", null);
            }
            Trigger stored = copy(trigger);
            stored.getMetadata().setResourceVersion(nextVersion());
            stored.getMetadata().setGeneration(1L);
            triggers.put(name, stored);
            return copy(stored);
        }
    }

    @Override
    public Trigger updateTrigger(Trigger trigger) {
        synchronized (lock) {
            String name = trigger.getMetadata().getName();
            Trigger current = triggers.get(name);
            if (current == null || !Objects.equals(current.getMetadata().getResourceVersion(),
                    trigger.getMetadata().getResourceVersion())) {
                throw new ConflictException("Trigger", name, "stale or missing", null);
            }
            Trigger stored = copy(trigger);
            stored.getMetadata().setResourceVersion(nextVersion());
            triggers.put(name, stored);
            return copy(stored);
        }
    }

    @Override
    public boolean deleteTrigger(String name) {
        synchronized (lock) {
            return triggers.remove(name) != null;
        }
    }

    // ---- Revisions

    @Override
    public Optional<Revision> getRevision(String name) {
        synchronized (lock) {
            return Optional.ofNullable(revisions.get(name)).map(this::copy);
        }
    }

    @Override
    public List<Revision> revisionsOf(String serviceName) {
        synchronized (lock) {
            return revisions.values().stream()
                    .filter(r -> serviceName.equals(r.getMetadata().getLabels().get(SERVICE_LABEL)))
                    .map(this::copy).toList();
        }
    }

    @Override
    public Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String checkedVersion = null;
        boolean checkedAbsent = false;
        synchronized (lock) {
            while (true) {
                Service current = services.get(name);
                // Test only what changed since the last look: many waiters wake on every change.
                boolean changed = current == null ? !checkedAbsent
                        : !Objects.equals(checkedVersion, current.getMetadata().getResourceVersion());
                if (changed) {
                    Service view = current == null ? null : copy(current);
                    checkedVersion = current == null ? null : current.getMetadata().getResourceVersion();
                    checkedAbsent = current == null;
                    if (condition.test(view)) {
                        return new Awaited(true, view);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Awaited(false, null);
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Awaited(false, null);
                }
            }
        }
    }

    // ---- the local controller

    private void reconcileLater(String name) {
        controller.execute(() -> {
            Object serviceLock;
            synchronized (lock) {
                serviceLock = serviceLocks.computeIfAbsent(name, n -> new Object());
            }
            synchronized (serviceLock) {
                try {
                    reconcile(name);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "local controller failed on %s", name);
                }
            }
        });
    }

    private void reconcile(String name) {
        Service service;
        Revision latest;
        String target;
        synchronized (lock) {
            Service current = services.get(name);
            if (current == null) {
                return;
            }
            service = copy(current);
            String hash = Integer.toHexString(serialization.asJson(service.getSpec().getTemplate()).hashCode());
            latest = newestRevision(name);
            if (latest == null || !hash.equals(latest.getMetadata().getAnnotations().get(TEMPLATE_HASH))) {
                latest = newRevision(service, hash);
                revisions.put(latest.getMetadata().getName(), latest);
            }
            String pinned = KnativeObjects.pinnedRevision(service);
            target = pinned != null ? pinned : latest.getMetadata().getName();
        }
        Revision revision = getRevision(target).orElse(null);
        FunctionProcess current;
        synchronized (lock) {
            current = running.get(name);
        }
        String failureReason = null;
        String failureMessage = null;
        FunctionProcess serving = current;
        if (revision == null) {
            failureReason = "RevisionMissing";
            failureMessage = "Revision \"" + target + "\" referenced in traffic not found.";
        } else if (current == null || !current.revision().equals(target) || !current.alive()) {
            try {
                serving = start(name, revision);
            } catch (ImagePullException e) {
                failureReason = "RevisionFailed";
                failureMessage = "Revision \"" + target + "\" failed with message: " + e.getMessage() + ".";
            } catch (IOException e) {
                failureReason = "RevisionFailed";
                failureMessage = "Revision \"" + target + "\" failed to become ready: " + e.getMessage();
            }
        }
        FunctionProcess replaced = null;
        synchronized (lock) {
            Service now = services.get(name);
            if (now == null) {
                if (serving != null && serving != current) {
                    serving.stop();
                }
                return;
            }
            if (failureReason == null && serving != current) {
                replaced = running.put(name, serving);
            }
            ServiceStatus status = new ServiceStatus();
            status.setObservedGeneration(service.getMetadata().getGeneration());
            status.setLatestCreatedRevisionName(latest.getMetadata().getName());
            if (failureReason == null) {
                status.setLatestReadyRevisionName(latest.getMetadata().getName());
                status.setUrl(serving.url());
                status.setAddress(new io.fabric8.knative.duck.v1.Addressable(null, null, null, serving.url()));
                status.setTraffic(List.of(new TrafficTargetBuilder().withRevisionName(target).withPercent(100L)
                        .withLatestRevision(KnativeObjects.pinnedRevision(service) == null).build()));
                status.setConditions(List.of(condition("Ready", "True", null, null),
                        condition("ConfigurationsReady", "True", null, null), condition("RoutesReady", "True", null, null)));
            } else {
                if (current != null && current.alive()) {
                    status.setUrl(current.url());
                    status.setLatestReadyRevisionName(current.revision());
                }
                status.setConditions(List.of(condition("Ready", "False", failureReason, failureMessage),
                        condition("ConfigurationsReady", "False", failureReason, failureMessage)));
                LOG.warnf("%s: %s", name, failureMessage);
            }
            now.setStatus(status);
            // as on an API server, a status write is a new resourceVersion (a writer holding the old one gets a 409)
            now.getMetadata().setResourceVersion(nextVersion());
            lock.notifyAll();
        }
        if (replaced != null) {
            LOG.infof("%s: %s replaced by %s", name, replaced.revision(), serving.revision());
            replaced.stop();
        }
    }

    private FunctionProcess start(String service, Revision revision) throws ImagePullException, IOException {
        Container container = revision.getSpec().getContainers().get(0);
        Path dir = workDir.resolve(revision.getMetadata().getName());
        Files.createDirectories(workDir);
        OciImagePuller.PulledFunction pulled = puller.pull(container.getImage(), dir.resolve("function"));
        Map<String, String> env = new LinkedHashMap<>(pulled.environment());
        env.remove("PATH");
        if (container.getEnv() != null) {
            for (EnvVar e : container.getEnv()) {
                if (e.getValue() != null) {
                    env.put(e.getName(), e.getValue());
                }
            }
        }
        env.put("K_SERVICE", service);
        env.put("K_REVISION", revision.getMetadata().getName());
        String runtime = env.getOrDefault("FUNCTION_RUNTIME", "python");
        List<String> command = runtimes.command(runtime);
        LOG.infof("starting %s (%s, %s runtime)", revision.getMetadata().getName(), container.getImage(), runtime);
        if (!"java".equals(runtime) && runtimes.pythonForkServer() && !forkServerUnavailable) {
            try {
                return FunctionProcess.startForked(revision.getMetadata().getName(), container.getImage(), forkServer, env,
                        pulled.functionDir(), dir.resolve("function.log"), startTimeout);
            } catch (PythonForkServer.UnavailableException e) {
                forkServerUnavailable = true;
                LOG.warnf("%s; Python functions start their own interpreter from now on", e.getMessage());
            }
        }
        return FunctionProcess.start(revision.getMetadata().getName(), container.getImage(), command, env, pulled.functionDir(),
                dir.resolve("function.log"), startTimeout);
    }

    private Revision newestRevision(String service) {
        return revisions.values().stream()
                .filter(r -> service.equals(r.getMetadata().getLabels().get(SERVICE_LABEL)))
                .max(Comparator.comparing((Revision r) -> r.getMetadata().getCreationTimestamp())
                        .thenComparing(r -> r.getMetadata().getName()))
                .orElse(null);
    }

    private Revision newRevision(Service service, String hash) {
        String name = service.getMetadata().getName();
        long count = revisions.values().stream().filter(r -> name.equals(r.getMetadata().getLabels().get(SERVICE_LABEL)))
                .count();
        String revisionName = String.format("%s-%05d", name, count + 1);
        Map<String, String> labels = new TreeMap<>();
        labels.put(SERVICE_LABEL, name);
        labels.put("serving.knative.dev/configurationGeneration", String.valueOf(service.getMetadata().getGeneration()));
        return new RevisionBuilder()
                .withNewMetadata().withName(revisionName).withNamespace(service.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(Map.of(TEMPLATE_HASH, hash)).withCreationTimestamp(now()).endMetadata()
                .withSpec(copy(service).getSpec().getTemplate().getSpec())
                .build();
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(now()).build();
    }

    private String nextVersion() {
        return Long.toString(++resourceVersion);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T copy(T object) {
        return object == null ? null : (T) serialization.clone(object);
    }

    /** Stops every function process. */
    @Override
    public void close() {
        List<FunctionProcess> all;
        synchronized (lock) {
            all = new ArrayList<>(running.values());
            running.clear();
        }
        controller.shutdownNow();
        all.forEach(FunctionProcess::stop);
        forkServer.close();
    }
}
