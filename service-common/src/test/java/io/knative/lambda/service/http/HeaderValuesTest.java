package io.knative.lambda.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Attribute values in ce-* headers: percent-encoded as the HTTP binding says, decoded back exactly. */
class HeaderValuesTest {

    @Test
    void printableAsciiTravelsAsItIs() {
        assertThat(HeaderValues.encode("global/parser/my-parser_1.py")).isEqualTo("global/parser/my-parser_1.py");
    }

    @Test
    void spaceQuotePercentAndNonAsciiAreEncodedAndComeBackTheSame() {
        String value = "tenant a/\"x\"/100%/café-😀";
        String header = HeaderValues.encode(value);

        assertThat(header).isEqualTo("tenant%20a/%22x%22/100%25/caf%C3%A9-%F0%9F%98%80");
        assertThat(header.chars().allMatch(c -> c > ' ' && c < 0x7f)).isTrue();
        assertThat(HeaderValues.decode(header)).isEqualTo(value);
    }

    @Test
    void rawUtf8BytesAsTheServerHandsThemOverAreDecodedAsUtf8() {
        String asReceived = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

        assertThat(HeaderValues.decode(asReceived)).isEqualTo("café");
    }

    @Test
    void aBrokenPercentEncodingIsRefused() {
        assertThatThrownBy(() -> HeaderValues.decode("bad%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderValues.decode("end%4")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderValues.decode("%C3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UTF-8");
    }
}
