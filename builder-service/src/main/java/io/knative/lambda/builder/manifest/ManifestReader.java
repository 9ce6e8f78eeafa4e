package io.knative.lambda.builder.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.InvalidManifestException;
import io.knative.lambda.events.FunctionEnvironment;

/**
 * Parses {@code function.yaml} strictly: a mapping of known keys only, each of its type and range, duplicates refused;
 * any problem is an {@link InvalidManifestException} naming the key. The keys (builder-service/README.md):
 * {@code runtime}, {@code entry} ({@code file}, {@code function}; {@code class}, {@code method}), {@code environment},
 * {@code dependencies}, and the deployment settings {@code min-scale}, {@code max-scale}, {@code container-concurrency},
 * {@code timeout-seconds}, {@code cpu}, {@code memory}, {@code execution}.
 */
public final class ManifestReader {

    /** Largest {@code function.yaml} read. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final String FILE = FunctionManifest.FILE_NAME;
    private static final Set<String> TOP = Set.of("runtime", "entry", "environment", "dependencies", "min-scale",
            "max-scale", "container-concurrency", "timeout-seconds", "cpu", "memory", "execution");
    private static final Set<String> ENTRY = Set.of("file", "function", "class", "method");
    private static final Set<String> RUNTIMES = Set.of("python", "java", "node");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?");
    private static final Pattern COORDINATE = Pattern.compile("[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){1,3}");
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    /** The manifest in {@code bytes}. */
    public FunctionManifest read(byte[] bytes) throws InvalidManifestException {
        if (bytes.length > MAX_BYTES) {
            throw invalid("(file)", "is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw invalid(location(e), "is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("(file)", "cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return FunctionManifest.none();
        }
        if (!root.isObject()) {
            throw invalid("(file)", "must be a mapping of keys (runtime, entry, environment, ...)");
        }
        known(root, TOP, "");
        String runtime = text(root, "runtime", "runtime");
        if (runtime != null && !RUNTIMES.contains(runtime)) {
            throw invalid("runtime", "must be python, java or node, not '" + runtime + "'");
        }
        JsonNode entry = root.get("entry");
        String file = null;
        String function = null;
        String className = null;
        String method = null;
        if (entry != null) {
            if (!entry.isObject()) {
                throw invalid("entry", "must be a mapping (file and function, or class and method)");
            }
            known(entry, ENTRY, "entry.");
            file = text(entry, "file", "entry.file");
            function = identifier(entry, "function", "entry.function");
            className = text(entry, "class", "entry.class");
            method = identifier(entry, "method", "entry.method");
            if (file != null && (file.startsWith("/") || file.contains("..") || file.contains("\\"))) {
                throw invalid("entry.file", "must be a path inside the archive, relative to its root");
            }
            if (className != null && !CLASS_NAME.matcher(className).matches()) {
                throw invalid("entry.class", "must be a class name such as com.acme.Parser");
            }
            String effective = runtime;
            if ("java".equals(effective) && (file != null || function != null)) {
                throw invalid(file != null ? "entry.file" : "entry.function", "is for python functions; java uses entry.class and entry.method");
            }
            if (effective != null && !"java".equals(effective) && (className != null || method != null)) {
                throw invalid(className != null ? "entry.class" : "entry.method", "is for java functions; " + effective
                        + " uses entry.file and entry.function");
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        integer(root, "min-scale", 0, 1000, settings);
        integer(root, "max-scale", 1, 1000, settings);
        integer(root, "container-concurrency", 0, 1000, settings);
        integer(root, "timeout-seconds", 1, 3600, settings);
        if (settings.containsKey("min-scale") && settings.containsKey("max-scale")
                && Integer.parseInt(settings.get("min-scale")) > Integer.parseInt(settings.get("max-scale"))) {
            throw invalid("min-scale", "must not exceed max-scale");
        }
        quantity(root, "cpu", settings);
        quantity(root, "memory", settings);
        String execution = text(root, "execution", "execution");
        if (execution != null) {
            if (!execution.equals("worker") && !execution.equals("event-loop")) {
                throw invalid("execution", "must be worker or event-loop, not '" + execution + "'");
            }
            settings.put("execution", execution);
        }
        return new FunctionManifest(runtime, file, function, className, method, environment(root), settings,
                dependencies(root, runtime));
    }

    private static Map<String, String> environment(JsonNode root) throws InvalidManifestException {
        JsonNode env = root.get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env == null) {
            return out;
        }
        if (!env.isObject()) {
            throw invalid("environment", "must be a mapping of variable names to values");
        }
        if (env.size() > FunctionEnvironment.MAX_VARIABLES) {
            throw invalid("environment", "has more than " + FunctionEnvironment.MAX_VARIABLES + " variables");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = "environment." + e.getKey();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw invalid(key, "must be a string, number or boolean");
            }
            String value = e.getValue().asText();
            var problem = FunctionEnvironment.problem(e.getKey(), value);
            if (problem.isPresent()) {
                throw invalid(key, problem.get());
            }
            out.put(e.getKey(), value);
        }
        return out;
    }

    private static List<String> dependencies(JsonNode root, String runtime) throws InvalidManifestException {
        JsonNode deps = root.get("dependencies");
        List<String> out = new ArrayList<>();
        if (deps == null) {
            return out;
        }
        if ("python".equals(runtime)) {
            throw invalid("dependencies", "is for java functions; a python function lists its packages in requirements.txt");
        }
        if ("node".equals(runtime)) {
            throw invalid("dependencies", "is for java functions; a node function lists its packages in package.json");
        }
        if (!deps.isArray()) {
            throw invalid("dependencies", "must be a list of Maven coordinates group:artifact:version");
        }
        for (int i = 0; i < deps.size(); i++) {
            JsonNode d = deps.get(i);
            if (!d.isTextual() || !COORDINATE.matcher(d.asText().trim()).matches()) {
                throw invalid("dependencies[" + i + "]", "must be a Maven coordinate group:artifact:version, not " + d);
            }
            out.add(d.asText().trim());
        }
        return out;
    }

    private static void known(JsonNode node, Set<String> keys, String prefix) throws InvalidManifestException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw invalid(prefix + key, "is not a key of function.yaml (known: " + String.join(", ", keys.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String key) throws InvalidManifestException {
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw invalid(key, "must be a non-empty string, not " + describe(v));
        }
        return v.asText().trim();
    }

    private static String identifier(JsonNode node, String field, String key) throws InvalidManifestException {
        String v = text(node, field, key);
        if (v != null && !IDENTIFIER.matcher(v).matches()) {
            throw invalid(key, "must be a function name (letters, digits, '_'), not '" + v + "'");
        }
        return v;
    }

    private static void integer(JsonNode root, String key, int min, int max, Map<String, String> settings)
            throws InvalidManifestException {
        JsonNode v = root.get(key);
        if (v == null) {
            return;
        }
        if (!v.isIntegralNumber()) {
            throw invalid(key, "must be a whole number, not " + describe(v));
        }
        if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw invalid(key, "must be between " + min + " and " + max + ", not " + v.asText());
        }
        settings.put(key, Integer.toString(v.asInt()));
    }

    private static void quantity(JsonNode root, String key, Map<String, String> settings) throws InvalidManifestException {
        JsonNode v = root.get(key);
        if (v == null) {
            return;
        }
        String text = v.isNumber() || v.isTextual() ? v.asText().trim() : null;
        if (text == null || !QUANTITY.matcher(text).matches() || new java.math.BigDecimal(text.replaceAll("[A-Za-z]+$", "")).signum() <= 0) {
            throw invalid(key, "must be a Kubernetes quantity above 0 such as " + ("cpu".equals(key) ? "250m or 1" : "256Mi or 1Gi")
                    + ", not " + describe(v));
        }
        settings.put(key, text);
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.asText() + "'";
        }
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + (v.isValueNode() ? " " + v.asText() : "");
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "(file)" : "line " + e.getLocation().getLineNr();
    }

    private static InvalidManifestException invalid(String key, String problem) {
        return new InvalidManifestException(FILE, key, problem);
    }
}
