package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The kubeconfig that points {@code kubectl} at the local cluster: its server URL and namespace, and a user with no
 * credentials, so that whoever uses it reads (writes are refused: {@link WriteAccess}). Nothing in it is a secret.
 */
public final class Kubeconfig {

    /** The name of the cluster, context and user in the file. */
    public static final String NAME = "knative-lambda-local";

    private Kubeconfig() {
    }

    /** The file's text for an API at {@code server}, with {@code namespace} as the context's namespace. */
    public static String text(String server, String namespace) {
        return "# kubectl against local mode's Kubernetes API (read-only): export KUBECONFIG=<this file>\n"
                + "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + NAME + "\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "contexts:\n"
                + "- name: " + NAME + "\n"
                + "  context:\n"
                + "    cluster: " + NAME + "\n"
                + "    namespace: " + namespace + "\n"
                + "    user: " + NAME + "-reader\n"
                + "current-context: " + NAME + "\n"
                + "users:\n"
                + "- name: " + NAME + "-reader\n"
                + "  user: {}\n";
    }

    /** Writes the file (replacing it at once: a kubectl reading it never sees half of it). */
    public static void write(Path file, String server, String namespace) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, ".kubeconfig", ".tmp");
        try {
            Files.writeString(temporary, text(server, namespace), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
