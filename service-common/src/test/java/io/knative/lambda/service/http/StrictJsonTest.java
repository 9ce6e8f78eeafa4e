package io.knative.lambda.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** JSON as every entry point accepts it, and the reason a sender reads when it does not. */
class StrictJsonTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ordinaryJsonParses() {
        assertThat(StrictJson.parse(utf8("{\"name\":\"café\",\"n\":[1,2.5,null,true]}")).path("name").asText()).isEqualTo("café");
        assertThat(StrictJson.parse(utf8("[" + "[".repeat(StrictJson.MAX_DEPTH - 2) + "]".repeat(StrictJson.MAX_DEPTH - 2) + "]"))
                .isArray()).isTrue();
    }

    @Test
    void jsonNestedTooDeepIsRefusedWithoutAStackOverflow() {
        byte[] deep = utf8("[".repeat(100_000) + "]".repeat(100_000));

        assertThatThrownBy(() -> StrictJson.parse(deep)).isInstanceOf(InvalidJsonException.class)
                .hasMessage("it is nested deeper than 1000 levels");
    }

    @Test
    void aHugeNumberIsRefused() {
        assertThatThrownBy(() -> StrictJson.parse(utf8("{\"n\":" + "9".repeat(5000) + "}")))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("1000 digits");
    }

    @Test
    void aNumberBeyondDoubleRangeIsNoCrash() {
        assertThat(StrictJson.parse(utf8("{\"n\":1e999999999}")).path("n").asDouble()).isInfinite();
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] latin1 = "{\"name\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf16 = "{\"a\":1}".getBytes(StandardCharsets.UTF_16);

        assertThatThrownBy(() -> StrictJson.parse(latin1)).isInstanceOf(InvalidJsonException.class).hasMessage("it is not UTF-8");
        assertThatThrownBy(() -> StrictJson.parse(utf16)).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void truncatedDuplicatedTrailingAndEmptyJsonAreRefused() {
        assertThatThrownBy(() -> StrictJson.parse(utf8("{\"bucket\":\"b\",\"key\":"))).isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("end-of-input");
        assertThatThrownBy(() -> StrictJson.parse(utf8("{\"a\":1,\"a\":2}"))).isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> StrictJson.parse(utf8("{} {}"))).isInstanceOf(InvalidJsonException.class);
        assertThatThrownBy(() -> StrictJson.parse(utf8("  "))).isInstanceOf(InvalidJsonException.class).hasMessage("it is empty");
        assertThatThrownBy(() -> StrictJson.parse(utf8("\uFEFF{}"))).isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("byte order mark");
    }
}
