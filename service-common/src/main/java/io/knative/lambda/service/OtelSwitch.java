package io.knative.lambda.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * OpenTelemetry costs nothing unless someone collects it: {@code quarkus.otel.sdk.disabled} defaults to {@code true}
 * unless an OTLP endpoint is configured ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}
 * or {@code ..._TRACES_ENDPOINT}, or their system properties); the standard {@code OTEL_EXPORTER_OTLP_ENDPOINT} is
 * also taken as Quarkus's endpoint. Below application.properties and the environment (ordinal 100): an explicit
 * {@code QUARKUS_OTEL_SDK_DISABLED} wins.
 */
public final class OtelSwitch implements ConfigSource {

    static final String DISABLED = "quarkus.otel.sdk.disabled";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    private static final String STANDARD_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private final Map<String, String> properties;

    public OtelSwitch() {
        this(System.getenv(), System.getProperties());
    }

    OtelSwitch(Map<String, String> env, Map<Object, Object> system) {
        Map<String, String> p = new HashMap<>();
        boolean endpoint = set(env, STANDARD_ENDPOINT) || set(env, "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")
                || set(env, "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || system.get(ENDPOINT) != null
                || system.get("quarkus.otel.exporter.otlp.traces.endpoint") != null || system.get("otel.exporter.otlp.endpoint") != null;
        p.put(DISABLED, Boolean.toString(!endpoint));
        if (set(env, STANDARD_ENDPOINT)) {
            p.put(ENDPOINT, env.get(STANDARD_ENDPOINT));
        }
        this.properties = Map.copyOf(p);
    }

    private static boolean set(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "knative-lambda-otel-switch";
    }

    @Override
    public int getOrdinal() {
        return 100;
    }
}
