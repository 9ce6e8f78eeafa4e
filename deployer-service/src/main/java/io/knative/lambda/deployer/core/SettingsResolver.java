package io.knative.lambda.deployer.core;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Turns the {@code settings} map of a {@code build.completed} event (S3 object metadata such as
 * {@code max-scale: "3"}) into {@link FunctionSettings}: platform defaults for what is absent, a
 * refusal naming the key and the rule for what is out of bounds. Unknown keys are ignored.
 */
public final class SettingsResolver {

    /** The setting keys the deployer reads. */
    public static final Set<String> KEYS = Set.of("min-scale", "max-scale", "container-concurrency", "timeout-seconds",
            "cpu", "memory", "handler", "execution");
    /** The runtimes' execution modes (FUNCTION_EXECUTION): handlers on threads, or on the event loop. */
    public static final Set<String> EXECUTIONS = Set.of("worker", "event-loop");

    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final Pattern HANDLER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]{0,127}");

    private final FunctionSettings defaults;
    private final DeployerSettings.Limits limits;

    public SettingsResolver(FunctionSettings defaults, DeployerSettings.Limits limits) {
        this.defaults = defaults;
        this.limits = limits;
    }

    /** The function's settings: {@code settings} over the defaults, each checked against the limits. */
    public FunctionSettings resolve(Map<String, String> settings) throws InvalidSettingsException {
        Map<String, String> s = settings == null ? Map.of() : settings;
        int minScale = integer(s, "min-scale", defaults.minScale(), 0, limits.maxScale());
        int maxScale = integer(s, "max-scale", defaults.maxScale(), 1, limits.maxScale());
        if (minScale > maxScale) {
            throw new InvalidSettingsException(s.containsKey("min-scale") ? "min-scale" : "max-scale",
                    s.getOrDefault(s.containsKey("min-scale") ? "min-scale" : "max-scale", ""),
                    "min-scale (" + minScale + ") must not exceed max-scale (" + maxScale + ")");
        }
        int concurrency = integer(s, "container-concurrency", defaults.containerConcurrency(), 0,
                limits.containerConcurrency());
        int timeout = integer(s, "timeout-seconds", defaults.timeoutSeconds(), 1, limits.timeoutSeconds());
        String cpu = quantity(s, "cpu", defaults.cpu(), limits.cpu());
        String memory = quantity(s, "memory", defaults.memory(), limits.memory());
        String cpuLimit = defaults.cpuLimit();
        if (cpuLimit != null && amount(cpuLimit).compareTo(amount(cpu)) < 0) {
            cpuLimit = cpu; // a request above the default limit raises the limit with it
        }
        String handler = defaults.handler();
        String h = s.get("handler");
        if (h != null) {
            h = h.trim();
            if (!HANDLER.matcher(h).matches()) {
                throw new InvalidSettingsException("handler", h,
                        "must be an identifier (letters, digits, '_', '.', '$'; at most 128 characters)");
            }
            handler = h;
        }
        String execution = defaults.execution();
        String e = s.get("execution");
        if (e != null) {
            e = e.trim().toLowerCase(java.util.Locale.ROOT);
            if (!EXECUTIONS.contains(e)) {
                throw new InvalidSettingsException("execution", s.get("execution"),
                        "must be worker or event-loop (event-loop only for handlers that never block)");
            }
            execution = e;
        }
        return new FunctionSettings(minScale, maxScale, concurrency, timeout, cpu, memory, cpuLimit, handler, execution);
    }

    private static int integer(Map<String, String> s, String key, int fallback, int min, int max)
            throws InvalidSettingsException {
        String raw = s.get(key);
        if (raw == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingsException(key, raw, "must be a whole number between " + min + " and " + max);
        }
        if (value < min || value > max) {
            throw new InvalidSettingsException(key, raw, "must be between " + min + " and " + max);
        }
        return value;
    }

    private static String quantity(Map<String, String> s, String key, String fallback, String max)
            throws InvalidSettingsException {
        String raw = s.get(key);
        if (raw == null) {
            return fallback;
        }
        String value = raw.trim();
        if (!QUANTITY.matcher(value).matches()) {
            throw new InvalidSettingsException(key, raw, "must be a Kubernetes quantity such as "
                    + ("cpu".equals(key) ? "250m or 1" : "256Mi or 1Gi"));
        }
        BigDecimal amount = amount(value);
        if (amount.signum() <= 0 || amount.compareTo(amount(max)) > 0) {
            throw new InvalidSettingsException(key, raw, "must be above 0 and at most " + max);
        }
        return value;
    }

    private static BigDecimal amount(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity));
    }
}
