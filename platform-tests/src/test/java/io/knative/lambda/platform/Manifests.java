package io.knative.lambda.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

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
        return Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();
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
                while (it.hasNext()) {
                    JsonNode node = it.next();
                    if (node != null && !node.isNull() && !node.isEmpty()) {
                        docs.add(new Doc(file, node));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse " + file, e);
            }
        }
        return docs;
    }

    /** eventing/ and k8s/, every document. */
    static List<Doc> all() {
        List<Path> files = new ArrayList<>(files("eventing"));
        files.addAll(files("eventing/sources"));
        files.addAll(files("k8s"));
        return docs(files);
    }
}
