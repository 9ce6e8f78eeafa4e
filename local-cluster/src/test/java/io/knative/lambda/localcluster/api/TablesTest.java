package io.knative.lambda.localcluster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ResourceType;

class TablesTest {

    private static ObjectNode revision() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree("""
                {"apiVersion":"serving.knative.dev/v1","kind":"Revision",
                 "metadata":{"name":"fn-00002","namespace":"local","creationTimestamp":"2026-01-01T10:00:00Z",
                   "labels":{"serving.knative.dev/configuration":"fn","serving.knative.dev/configurationGeneration":"2"}},
                 "status":{"conditions":[{"type":"Active","status":"False"},
                   {"type":"Ready","status":"False","reason":"ContainerMissing","message":"no image"}]}}""");
    }

    @Test
    void kubectlsAcceptHeaderAsksForATableAndPlainJsonDoesNot() {
        assertThat(Tables.requested("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                + "g=meta.k8s.io,application/json")).isEqualTo("v1");
        assertThat(Tables.requested("application/json;as=Table;v=v1beta1;g=meta.k8s.io")).isEqualTo("v1beta1");
        assertThat(Tables.requested("application/json")).isNull();
        assertThat(Tables.requested(null)).isNull();
        assertThat(Tables.requested("application/json;as=Table;v=v2;g=meta.k8s.io")).isNull();
    }

    @Test
    void aRowHoldsTheCrdColumnsFoundByTheirJsonPathsAndTheObjectsMetadata() throws Exception {
        ObjectNode table = Tables.of(ResourceType.REVISIONS, List.of(revision()), 7, "v1", "Metadata", true,
                Instant.parse("2026-01-01T10:05:00Z"));

        assertThat(table.path("kind").asText()).isEqualTo("Table");
        assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
        assertThat(table.path("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Config Name",
                "Generation", "Ready", "Reason", "Actual Replicas", "Desired Replicas");
        JsonNode row = table.path("rows").get(0);
        assertThat(row.path("cells").toString()).isEqualTo("[\"fn-00002\",\"fn\",\"2\",\"False\",\"ContainerMissing\",null,null]");
        assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
        assertThat(row.path("object").path("metadata").path("namespace").asText()).isEqualTo("local");
        assertThat(row.path("object").has("status")).isFalse();
    }

    @Test
    void includeObjectChoosesWhatARowCarries() throws Exception {
        Instant now = Instant.now();
        assertThat(Tables.of(ResourceType.REVISIONS, List.of(revision()), 1, "v1", "Object", true, now)
                .path("rows").get(0).path("object").path("status").isObject()).isTrue();
        assertThat(Tables.of(ResourceType.REVISIONS, List.of(revision()), 1, "v1", "None", false, now)
                .path("rows").get(0).has("object")).isFalse();
        assertThatThrownBy(() -> Tables.includeObject("All")).isInstanceOf(ApiException.class);
    }

    @Test
    void agesAreRoundedAsKubectlPrintsThem() {
        assertThat(Tables.humanDuration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Tables.humanDuration(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Tables.humanDuration(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Tables.humanDuration(Duration.ofMinutes(95))).isEqualTo("95m");
        assertThat(Tables.humanDuration(Duration.ofMinutes(5 * 60 + 7))).isEqualTo("5h7m");
        assertThat(Tables.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.humanDuration(Duration.ofHours(51))).isEqualTo("2d3h");
        assertThat(Tables.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
        assertThat(Tables.humanDuration(Duration.ofDays(800))).isEqualTo("2y70d");
        assertThat(Tables.humanDuration(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
    }

    @Test
    void anUnsupportedJsonPathIsRefusedRatherThanMisread() {
        assertThatThrownBy(() -> PrinterColumns.value(Json.MAPPER.createObjectNode(), ".items[*].name"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
