package io.knative.lambda.cli.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;

/**
 * The functions of a cluster, read with {@code kubectl} and the given kube context (so that every way of logging in
 * that kubectl knows works: tokens, exec plugins, OIDC): {@code kubectl get ksvc -o json}.
 */
final class KubectlFunctions implements Functions {

    private final String context;
    private final String namespace;

    KubectlFunctions(String context, String namespace) {
        this.context = context;
        this.namespace = namespace;
    }

    @Override
    public List<JsonNode> services() {
        return items(run("get", "services.serving.knative.dev", "-o", "json"));
    }

    @Override
    public List<JsonNode> revisions(String service) {
        List<JsonNode> revisions = items(run("get", "revisions.serving.knative.dev", "-l",
                "serving.knative.dev/service=" + service, "-o", "json"));
        revisions.sort(Comparator.comparingLong(KubectlFunctions::generation));
        return revisions;
    }

    /** A revision's number (its configuration generation), for ordering. */
    static long generation(JsonNode revision) {
        return revision.path("metadata").path("labels").path("serving.knative.dev/configurationGeneration").asLong(0);
    }

    /** The kubectl command line for {@code args} with this context and namespace. */
    static List<String> command(String context, String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("KUBECTL", "kubectl"), "--context",
                context, "--namespace", namespace));
        command.addAll(List.of(args));
        return command;
    }

    private JsonNode run(String... args) {
        List<String> command = command(context, namespace, args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new CliException("kubectl (context " + context + ") failed: " + (err.isEmpty() ? "exit "
                        + p.exitValue() : err.lines().reduce((a, b) -> b).orElse(err)));
            }
            return Json.parse(out, "kubectl");
        } catch (IOException e) {
            throw new CliException("cannot run kubectl (" + e.getMessage() + "): install it (make tools) or set KUBECTL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static List<JsonNode> items(JsonNode list) {
        List<JsonNode> items = new ArrayList<>();
        list.path("items").forEach(items::add);
        return items;
    }
}
