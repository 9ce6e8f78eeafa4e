package io.knative.lambda.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.knative.lambda.testsupport.KnativeSchemas;

/** The install manifests of the repository ({@code eventing/}, {@code k8s/}), read as YAML documents with their file. */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One YAML document of one file. */
    record Doc(Path file, JsonNode node) {
        String apiVersion() {
            return node.path("apiVersion").asText();
        }

        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return project().relativize(file) + " " + kind() + "/" + name();
        }
    }

    private Manifests() {
    }

    static Path project() {
        return KnativeSchemas.project();
    }

    /** The YAML files of a folder (not its subfolders), sorted by name, i.e. in apply order. */
    static List<Path> files(String folder) {
        try (Stream<Path> files = Files.list(project().resolve(folder))) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of the given files. */
    static List<Doc> docs(List<Path> files) {
        List<Doc> docs = new ArrayList<>();
        for (Path file : files) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                addDocs(file, it, docs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse " + file, e);
            }
        }
        return docs;
    }

    /** Every document {@code kubectl kustomize <folder>} renders (the real kubectl, as {@code make deploy} applies it). */
    static List<Doc> kustomize(String folder) {
        Path dir = project().resolve(folder);
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
            String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kubectl.waitFor(60, TimeUnit.SECONDS) || kubectl.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            List<Doc> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
                addDocs(dir.resolve("kustomization.yaml"), it, docs);
            }
            return docs;
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl kustomize (kubectl must be on PATH: make tools installs it): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void addDocs(Path file, MappingIterator<JsonNode> it, List<Doc> docs) throws IOException {
        while (it.hasNext()) {
            JsonNode node = it.next();
            if (node != null && !node.isNull() && !node.isEmpty()) {
                docs.add(new Doc(file, node));
            }
        }
    }

    /** eventing/ and k8s/, every document. */
    static List<Doc> all() {
        List<Path> files = new ArrayList<>(files("eventing"));
        files.addAll(files("eventing/sources"));
        files.addAll(files("k8s"));
        return docs(files);
    }
}
