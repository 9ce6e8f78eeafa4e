package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.knative.lambda.deployer.it.Events.binary;
import static io.knative.lambda.deployer.it.Events.parse;
import static io.knative.lambda.deployer.it.Events.structured;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.events.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/** rollback.requested pins the traffic (and the next build unpins); ObjectRemoved deletes, idempotently. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class RollbackAndRemovalIT extends MockApiTestBase {

    static final String BUILD_COMPLETED = "io.knative.lambda.build.completed";
    static final String ROLLBACK = "io.knative.lambda.rollback.requested";
    static final String REMOVED = "com.amazonaws.s3.ObjectRemoved:Delete";

    @Test
    void rollbackPinsTrafficToTheEarlierRevisionWithoutANewOneAndTheNextBuildUnpins() {
        String id = newId("rollback");
        String name = "parser-" + id;
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('c'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");

        Response reply = binary(ROLLBACK, "r-" + id, id, Map.of("revision", name + "-00001"));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.completed").header("ce-subject", id);
        JsonNode data = parse(reply.asString());
        assertThat(data.path("revision").asText()).isEqualTo(name + "-00001");
        assertThat(data.path("image").asText()).endsWith(digest('a'));
        assertThat(data.path("url").asText()).isEqualTo("http://" + name + ".knative-lambda.example.com");
        Service pinned = service(name);
        assertThat(pinned.getSpec().getTraffic()).singleElement().satisfies(t -> {
            assertThat(t.getRevisionName()).isEqualTo(name + "-00001");
            assertThat(t.getPercent()).isEqualTo(100L);
        });
        assertThat(pinned.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(digest('c'));
        assertThat(revisions(name)).as("a rollback creates no revision").isEqualTo(2);

        Response duplicate = structured(ROLLBACK, "r-" + id, id, Map.of("revision", name + "-00001"));
        assertThat(duplicate.asString()).isEmpty();

        Response next = binary(BUILD_COMPLETED, "b3-" + id, id, build(id, digest('d')));

        next.then().header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(parse(next.asString()).path("revision").asText()).isEqualTo(name + "-00003");
        assertThat(service(name).getSpec().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getLatestRevision()).isTrue());
    }

    @Test
    void theSameBuildAgainAfterARollbackUnpinsWithoutANewRevision() {
        String id = newId("unpin");
        String name = "parser-" + id;
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('c'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        binary(ROLLBACK, "r-" + id, id, Map.of("image", build(id, digest('a')).image())).then()
                .header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(service(name).getSpec().getTraffic().get(0).getRevisionName()).isEqualTo(name + "-00001");

        Response rebuilt = binary(BUILD_COMPLETED, "b4-" + id, id, build(id, digest('c')));

        rebuilt.then().header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(parse(rebuilt.asString()).path("revision").asText()).isEqualTo(name + "-00002");
        assertThat(service(name).getSpec().getTraffic().get(0).getLatestRevision()).isTrue();
        assertThat(revisions(name)).isEqualTo(2);
    }

    @Test
    void aRollbackToAnUnknownRevisionOrFunctionFailsWithAStableReason() {
        String id = newId("norev");
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");

        Response unknownRevision = binary(ROLLBACK, "r1-" + id, id, Map.of("revision", "parser-" + id + "-00042"));
        Response unknownFunction = binary(ROLLBACK, "r2-" + id, "nobody-" + id, Map.of("revision", "x-00001"));
        Response neither = binary(ROLLBACK, "r3-" + id, id, Map.of());

        unknownRevision.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        assertThat(parse(unknownRevision.asString()).path("reason").asText()).isEqualTo("RevisionNotFound");
        assertThat(parse(unknownFunction.asString()).path("reason").asText()).isEqualTo("FunctionNotFound");
        assertThat(parse(neither.asString()).path("reason").asText()).isEqualTo("InvalidEvent");
        assertThat(service("parser-" + id).getSpec().getTraffic().get(0).getLatestRevision()).isTrue();
    }

    @Test
    void objectRemovedDeletesServiceAndTriggerAndRepliesFunctionDeletedAlsoWhenAlreadyGone() {
        String id = newId("removed");
        String name = "parser-" + id;
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");

        Response reply = binary(REMOVED, "rm-" + id, "global/parser/" + id, removedRecord("global/parser/" + id));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.function.deleted").header("ce-subject", id);
        JsonNode data = parse(reply.asString());
        assertThat(data.path("functionId").asText()).isEqualTo(id);
        assertThat(data.path("service").asText()).isEqualTo(name);
        assertThat(data.path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(service(name)).isNull();
        assertThat(trigger(name)).isNull();

        Response again = structured(REMOVED, "rm2-" + id, "global/parser/" + id, removedRecord("global/parser/" + id));

        again.then().statusCode(200);
        assertThat(parse(again.asString()).path("type").asText()).isEqualTo("io.knative.lambda.function.deleted");
    }

    @Test
    void aForgedRemovalOfAnObjectStillInTheBucketDeletesNothingAndGivesNoEvent() {
        String id = newId("forged");
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        BucketServer.put(BucketServer.BUCKET, "global/parser/" + id, "def handler(e):\n    return e\n");

        Response forged = binary(REMOVED, "rm-" + id, "global/parser/" + id, removedRecord("global/parser/" + id));

        assertThat(forged.statusCode()).isIn(200, 204);
        assertThat(forged.header("ce-type")).as("no function.deleted").isNull();
        assertThat(service("parser-" + id)).isNotNull();
        assertThat(trigger("parser-" + id)).isNotNull();
    }

    @Test
    void anotherScopesRemovalOrANonFunctionKeyDeletesNothingAndGivesNoEvent() {
        String id = newId("scoped");
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");

        Response otherScope = binary(REMOVED, "rm-" + id, "acme/parser/" + id, removedRecord("acme/parser/" + id));
        Response notAFunction = binary(REMOVED, "rm2-" + id, "README.md", removedRecord("README.md"));

        assertThat(otherScope.statusCode()).isIn(200, 204);
        assertThat(otherScope.header("ce-type")).isNull();
        assertThat(notAFunction.statusCode()).isIn(200, 204);
        assertThat(notAFunction.header("ce-type")).isNull();
        assertThat(service("parser-" + id)).isNotNull();
        assertThat(trigger("parser-" + id)).isNotNull();
    }

    private int revisions(String service) {
        return client().resources(Revision.class).inNamespace(NAMESPACE).withLabel("serving.knative.dev/service", service)
                .list().getItems().size();
    }

    private static JsonNode removedRecord(String key) {
        ObjectNode record = (ObjectNode) parse(Fixtures.read(Fixtures.AWS_DELETE)).path("Records").get(0).deepCopy();
        ((ObjectNode) record.path("s3").path("object")).put("key", key);
        return record;
    }
}
