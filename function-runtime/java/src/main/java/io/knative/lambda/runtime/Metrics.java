package io.knative.lambda.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** Invocations, errors by code, a duration histogram and the cold start, rendered as Prometheus text (same names as Python). */
final class Metrics {

    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0};

    private final String label;
    private final LongAdder invocations = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
    private final DoubleAdder durationSum = new DoubleAdder();
    private final AtomicBoolean cold = new AtomicBoolean(true);
    private final IntSupplier inFlight;
    private volatile double coldStartSeconds;

    Metrics(String functionId, IntSupplier inFlight) {
        this.label = "function=\"" + functionId + "\",runtime=\"java\"";
        this.inFlight = inFlight;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void coldStart(double seconds) {
        coldStartSeconds = seconds;
    }

    /** Counts one invocation; true for the first one of the process (the cold one). */
    boolean record(double seconds, String errorCode) {
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        buckets[i].increment();
        durationSum.add(seconds);
        invocations.increment();
        if (errorCode != null) {
            errors.computeIfAbsent(errorCode, c -> new LongAdder()).increment();
        }
        return cold.get() && cold.compareAndSet(true, false);
    }

    /** Invocations answered so far. */
    long invocations() {
        return invocations.sum();
    }

    String render() {
        StringBuilder b = new StringBuilder(4096);
        b.append("# HELP klambda_function_invocations_total Invocations of the function (every POST /).\n")
                .append("# TYPE klambda_function_invocations_total counter\n")
                .append("klambda_function_invocations_total{").append(label).append("} ").append(invocations.sum()).append('\n')
                .append("# HELP klambda_function_errors_total Invocations answered with an error, by error code.\n")
                .append("# TYPE klambda_function_errors_total counter\n");
        new TreeMap<>(errors).forEach((code, n) -> b.append("klambda_function_errors_total{").append(label)
                .append(",code=\"").append(code).append("\"} ").append(n.sum()).append('\n'));
        b.append("# HELP klambda_function_duration_seconds Time from request to answer.\n")
                .append("# TYPE klambda_function_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i].sum();
            String le = i < BUCKETS.length ? Double.toString(BUCKETS[i]) : "+Inf";
            b.append("klambda_function_duration_seconds_bucket{").append(label).append(",le=\"").append(le).append("\"} ")
                    .append(cumulative).append('\n');
        }
        b.append("klambda_function_duration_seconds_sum{").append(label).append("} ")
                .append(String.format(java.util.Locale.ROOT, "%.6f", durationSum.sum())).append('\n')
                .append("klambda_function_duration_seconds_count{").append(label).append("} ").append(cumulative).append('\n')
                .append("# HELP klambda_function_cold_start_seconds Time from process start to the handler loaded and ready.\n")
                .append("# TYPE klambda_function_cold_start_seconds gauge\n")
                .append("klambda_function_cold_start_seconds{").append(label).append("} ")
                .append(String.format(java.util.Locale.ROOT, "%.6f", coldStartSeconds)).append('\n')
                .append("# HELP klambda_function_in_flight Requests being handled now.\n")
                .append("# TYPE klambda_function_in_flight gauge\n")
                .append("klambda_function_in_flight{").append(label).append("} ").append(inFlight.getAsInt()).append('\n');
        return b.toString();
    }
}
