package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FunctionKeyTest {

    static Stream<Arguments> validKeys() {
        return Fixtures.table("keys-valid.csv").map(r -> Arguments.of(r[0], r[1], r[2], r[3], r[4], r[5]));
    }

    static Stream<Arguments> invalidKeys() {
        return Fixtures.table("keys-invalid.csv").map(r -> Arguments.of(r[0], r[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validKeys")
    void validKeyGivesScopeKindIdAndServiceName(String key, String scope, String kind, String id, String ext, String service)
            throws Exception {
        FunctionKey parsed = FunctionKey.parse(key);

        assertThat(parsed.scope()).isEqualTo(scope);
        assertThat(parsed.kind()).isEqualTo(kind);
        assertThat(parsed.id()).isEqualTo(id);
        assertThat(parsed.extension()).isEqualTo(ext.isEmpty() ? null : ext);
        assertThat(parsed.serviceName()).isEqualTo(service).hasSizeLessThanOrEqualTo(63);
        assertThat(parsed.key()).as("round trip").isEqualTo(key);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("invalidKeys")
    void invalidKeyIsRefusedWithStableReasonAndTheKeyInTheMessage(String key, String reason) {
        assertThatThrownBy(() -> FunctionKey.parse(key))
                .isInstanceOfSatisfying(InvalidFunctionKeyException.class, e -> {
                    assertThat(e.reason().code()).isEqualTo(reason);
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void tooLongNamesSayHowLongAndTheLimit(String key, String reason) {
        if (!reason.equals("FunctionNameTooLong")) {
            return;
        }
        assertThatThrownBy(() -> FunctionKey.parse(key)).hasMessageContaining("at most 63");
    }
}
