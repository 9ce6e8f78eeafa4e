package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reason codes are the interface users alert on: their spelling and retryability must not drift. */
class FailureReasonTest {

    @ParameterizedTest(name = "{0} -> {1}, retryable {2}")
    @CsvSource({
            // the builder's
            "SOURCE_NOT_FOUND,       SourceNotFound,       false",
            "SOURCE_ACCESS_DENIED,   SourceAccessDenied,   false",
            "SOURCE_TOO_LARGE,       SourceTooLarge,       false",
            "SOURCE_UNAVAILABLE,     SourceUnavailable,    true",
            "INVALID_FUNCTION_ID,    InvalidFunctionId,    false",
            "FUNCTION_NAME_TOO_LONG, FunctionNameTooLong,  false",
            "UNSUPPORTED_RUNTIME,    UnsupportedRuntime,   false",
            "COMPILE_ERROR,          CompileError,         false",
            "INVALID_EVENT,          InvalidEvent,         false",
            "REGISTRY_UNAUTHORIZED,  RegistryUnauthorized, false",
            "BASE_IMAGE_NOT_FOUND,   BaseImageNotFound,    false",
            "REGISTRY_UNAVAILABLE,   RegistryUnavailable,  true",
            "INVALID_ARCHIVE,        InvalidArchive,       false",
            "INVALID_MANIFEST,       InvalidManifest,      false",
            "AMBIGUOUS_ENTRY_POINT,  AmbiguousEntryPoint,  false",
            "ENTRY_POINT_NOT_FOUND,  EntryPointNotFound,   false",
            "DEPENDENCY_NOT_INSTALLABLE,   DependencyNotInstallable,   false",
            "DEPENDENCY_RESOLUTION_FAILED, DependencyResolutionFailed, false",
            "DEPENDENCY_INDEX_UNAVAILABLE, DependencyIndexUnavailable, true",
            // the deployer's
            "INVALID_SETTINGS,       InvalidSettings,      false",
            "NAME_TAKEN,             NameTaken,            false",
            "UNVERIFIED,             Unverified,           false",
            "FUNCTION_NOT_FOUND,     FunctionNotFound,     false",
            "AMBIGUOUS_FUNCTION,     AmbiguousFunction,    false",
            "REVISION_NOT_FOUND,     RevisionNotFound,     false",
            "NOT_READY,              NotReady,             false",
            "SERVICE_DELETED,        ServiceDeleted,       true",
            "READY_TIMEOUT,          ReadyTimeout,         true",
            // both
            "INTERNAL_ERROR,         InternalError,        true" })
    void eachReasonHasItsStableCodeAndRetryability(FailureReason reason, String code, boolean retryable) {
        assertThat(reason.code()).isEqualTo(code);
        assertThat(reason.retryable()).isEqualTo(retryable);
    }

    @Test
    void theCatalogueHoldsExactlyTheDocumentedReasons() {
        // A reason added without a row above (and in the READMEs' tables) fails here.
        assertThat(FailureReason.values()).hasSize(29);
    }

    @Test
    void noTwoReasonsShareACode() {
        Map<String, Long> byCode = Arrays.stream(FailureReason.values())
                .collect(Collectors.groupingBy(FailureReason::code, LinkedHashMap::new, Collectors.counting()));
        assertThat(byCode).allSatisfy((code, count) -> assertThat(count).as(code).isEqualTo(1L));
    }

    @Test
    void codesAreUpperCamelCaseWithoutSpaces() {
        assertThat(FailureReason.values()).extracting(FailureReason::code)
                .allSatisfy(code -> assertThat(code).matches("[A-Z][A-Za-z]+"));
    }
}
