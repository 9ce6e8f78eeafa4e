package io.knative.lambda.builder.npm;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.core.InvalidManifestException;
import io.knative.lambda.events.FailureReason;

/**
 * What a function's {@code package.json} (and {@code package-lock.json}) asks npm to install: the dependency fields
 * ({@code dependencies}, {@code optionalDependencies}, {@code peerDependencies}, {@code overrides}), each spec checked to
 * name a registry package (a version, range, tag or {@code npm:} alias): {@code file:}, {@code link:}, git, URL and
 * path specs would read the builder's disk or fetch from anywhere, and are {@code DependencyNotInstallable}; so is a
 * lock entry that is linked or resolved from anything but HTTP(S).
 *
 * @param canonical the dependency fields as JSON with sorted keys (the cache key's part)
 * @param count     how many direct dependencies
 */
record PackageJson(String canonical, int count) {

    static final String FILE_NAME = "package.json";
    static final String LOCK_FILE = "package-lock.json";
    private static final List<String> FIELDS = List.of("dependencies", "optionalDependencies", "peerDependencies");
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    static PackageJson parse(String packageJson, String lock) throws BuildException {
        JsonNode root = read(FILE_NAME, packageJson);
        Map<String, Object> fields = new TreeMap<>();
        int count = 0;
        for (String field : FIELDS) {
            JsonNode deps = root.path(field);
            if (deps.isMissingNode() || deps.isNull()) {
                continue;
            }
            if (!deps.isObject()) {
                throw new InvalidManifestException(FILE_NAME, field, "must be an object of package names to versions");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                checkSpec(field + "." + e.getKey(), e.getKey(), e.getValue());
            }
            count += deps.size();
            fields.put(field, JSON.convertValue(deps, Map.class));
        }
        JsonNode overrides = root.path("overrides");
        if (overrides.isObject()) {
            checkOverrides("overrides", overrides);
            fields.put("overrides", JSON.convertValue(overrides, Map.class));
        }
        if (lock != null) {
            checkLock(read(LOCK_FILE, lock));
        }
        try {
            return new PackageJson(JSON.writeValueAsString(fields), count);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String file, String text) throws InvalidManifestException {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new InvalidManifestException(file, "(file)", "must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException(file, "(file)", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static void checkOverrides(String where, JsonNode node) throws BuildException {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                checkOverrides(where + "." + e.getKey(), e.getValue());
            } else {
                checkSpec(where + "." + e.getKey(), e.getKey(), e.getValue());
            }
        }
    }

    /** A registry spec: a semver version or range, a dist-tag, or {@code npm:name@range}; nothing with a path or scheme. */
    static void checkSpec(String where, String name, JsonNode value) throws BuildException {
        if (!value.isTextual()) {
            throw new InvalidManifestException(FILE_NAME, where, "must be a version string");
        }
        String spec = value.asText().trim();
        boolean alias = spec.startsWith("npm:");
        String rest = alias ? spec.substring(4).replaceFirst("^@[^/@]+/", "") : spec;
        if (rest.contains(":") || rest.contains("/") || rest.contains("\\") || rest.startsWith(".") || rest.startsWith("~/")) {
            throw new DependencyException(FailureReason.DEPENDENCY_NOT_INSTALLABLE, name, FILE_NAME + ": " + where + " is '"
                    + spec + "': the builder installs packages from the npm registry only (a version, range or tag),"
                    + " never file:, link:, git or URL dependencies", null);
        }
    }

    private static void checkLock(JsonNode lock) throws BuildException {
        JsonNode packages = lock.path("packages");
        for (Iterator<Map.Entry<String, JsonNode>> it = packages.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().isEmpty()) {
                continue;
            }
            String resolved = e.getValue().path("resolved").asText("");
            if (e.getValue().path("link").asBoolean(false)
                    || (!resolved.isEmpty() && !resolved.startsWith("https://") && !resolved.startsWith("http://"))) {
                throw new DependencyException(FailureReason.DEPENDENCY_NOT_INSTALLABLE, e.getKey(), LOCK_FILE + ": "
                        + e.getKey() + " is " + (resolved.isEmpty() ? "a link" : "resolved from '" + resolved + "'")
                        + ": the builder installs packages from the npm registry only", null);
            }
        }
    }
}
