package io.knative.lambda.localcluster.serving;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.pkg.apis.ConditionBuilder;

/**
 * Knative's status conditions: {@code True}, {@code False} or {@code Unknown} with a reason and message,
 * the time of the last change of status kept from the previous condition of the same type, and a
 * {@code Ready} that summarises its dependents as Knative's condition sets do (the first False, else the
 * first Unknown, in the order given).
 */
final class Conditions {

    private final Clock clock;

    Conditions(Clock clock) {
        this.clock = clock;
    }

    /** One condition's value before it is dated. */
    record Value(String status, String reason, String message) {
        static final Value TRUE = new Value("True", null, null);

        static Value unknown(String reason, String message) {
            return new Value("Unknown", reason, message);
        }

        static Value isFalse(String reason, String message) {
            return new Value("False", reason, message);
        }

        boolean is(String s) {
            return s.equals(status);
        }
    }

    /** Ready from its dependents, most important first. */
    static Value ready(List<Value> dependents) {
        for (String status : List.of("False", "Unknown")) {
            for (Value v : dependents) {
                if (v.is(status)) {
                    return v;
                }
            }
        }
        return Value.TRUE;
    }

    /** The condition {@code type} with {@code value}, dated now unless {@code previous} had the same status. */
    Condition condition(String type, Value value, List<Condition> previous) {
        Condition before = previous == null ? null
                : previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = before != null && Objects.equals(before.getStatus(), value.status()) && before.getLastTransitionTime() != null
                ? before.getLastTransitionTime() : clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        return new ConditionBuilder().withType(type).withStatus(value.status()).withReason(value.reason())
                .withMessage(value.message()).withLastTransitionTime(since).build();
    }
}
