package io.knative.lambda.cli.platform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.Loggable;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.knative.lambda.cli.CliException;

/**
 * A cluster's function logs: the {@code user-container} of the pods of the function's revisions (label
 * {@code serving.knative.dev/service}), as {@code kubectl logs -l serving.knative.dev/service=NAME -c user-container}
 * shows them, each line with its pod's revision; following watches every pod at once. A function scaled to zero has
 * no pod and so no lines.
 */
final class ClusterLogs implements FunctionLogs {

    /** The container Knative gives the function. */
    static final String CONTAINER = "user-container";
    private static final String REVISION_LABEL = "serving.knative.dev/revision";
    private final ClusterApi api;
    private final String namespace;

    ClusterLogs(ClusterApi api, String namespace) {
        this.api = api;
        this.namespace = namespace;
    }

    @Override
    public void print(String service, List<String> revisions, Instant since, boolean follow, Consumer<LogLine> out) {
        List<Pod> pods = new ArrayList<>(api.call("list the pods of " + service, c -> c.pods().inNamespace(namespace)
                .withLabel(ClusterFunctions.SERVICE_LABEL, service).list().getItems()));
        pods.sort(Comparator.comparing((Pod p) -> revision(p, service)).thenComparing(p -> p.getMetadata().getName()));
        if (!follow) {
            for (Pod pod : pods) {
                String log = api.call("read the log of pod " + name(pod), c -> container(c, pod, since).getLog());
                log.lines().forEach(line -> out.accept(new LogLine(revision(pod, service), line)));
            }
            return;
        }
        List<Thread> readers = new ArrayList<>();
        List<LogWatch> watches = new ArrayList<>();
        for (Pod pod : pods) {
            LogWatch watch = api.call("follow the log of pod " + name(pod), c -> container(c, pod, since).watchLog());
            watches.add(watch);
            Thread reader = new Thread(() -> copy(watch, revision(pod, service), out), "logs-" + name(pod));
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        try {
            for (Thread reader : readers) {
                reader.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watches.forEach(LogWatch::close);
        }
    }

    private Loggable container(KubernetesClient c, Pod pod, Instant since) {
        ContainerResource container = c.pods().inNamespace(namespace).withName(name(pod)).inContainer(CONTAINER);
        return since == null ? container : container.sinceTime(since.toString());
    }

    private static void copy(LogWatch watch, String revision, Consumer<LogLine> out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                synchronized (out) {
                    out.accept(new LogLine(revision, line));
                }
            }
        } catch (IOException e) {
            throw new CliException("the log of " + revision + " broke off: " + e.getMessage());
        }
    }

    private static String name(Pod pod) {
        return pod.getMetadata().getName();
    }

    private static String revision(Pod pod, String service) {
        String revision = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(REVISION_LABEL);
        return revision == null ? service : revision;
    }
}
