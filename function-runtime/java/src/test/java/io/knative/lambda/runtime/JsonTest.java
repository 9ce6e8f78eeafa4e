package io.knative.lambda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Unit tests of the runtime's JSON: what handlers return is written as standard JSON or refused, never "NaN". */
class JsonTest {

    /** A result type of a function's own, written by Jackson data binding. */
    public record Reading(String sensor, double value) {
    }

    @Test
    void mapsListsAndBeansAreWrittenAsJson() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ok", true);
        result.put("items", List.of(1, 2.5, "x"));
        assertThat(new String(Json.write(result), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true,\"items\":[1,2.5,\"x\"]}");
        assertThat(new String(Json.write(new Reading("t-1", 21.5)), StandardCharsets.UTF_8))
                .isEqualTo("{\"sensor\":\"t-1\",\"value\":21.5}");
    }

    @Test
    void nanAndTheInfinitiesAreRefusedNamingTheValueAndWhereItIs() {
        assertThatThrownBy(() -> Json.write(Map.of("x", Double.NaN)))
                .isInstanceOf(Json.NotJsonException.class).hasMessage("NaN at /x");
        assertThatThrownBy(() -> Json.write(Map.of("items", List.of(1, Float.NEGATIVE_INFINITY))))
                .isInstanceOf(Json.NotJsonException.class).hasMessage("-Infinity at /items/1");
        assertThatThrownBy(() -> Json.write(Double.POSITIVE_INFINITY))
                .isInstanceOf(Json.NotJsonException.class).hasMessage("Infinity");
    }

    @Test
    void nanInABeanIsRefusedToo() {
        assertThatThrownBy(() -> Json.write(new Reading("t-1", Double.NaN)))
                .isInstanceOf(Json.NotJsonException.class).hasMessage("NaN at /value");
    }

    @Test
    void jsonNestedPastTheLimitIsInvalidJson() {
        byte[] deep = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CloudEvents.readJson(deep)).isInstanceOfSatisfying(HttpError.class, e -> {
            assertThat(e.status).isEqualTo(400);
            assertThat(e.code).isEqualTo("InvalidJson");
        });
    }
}
