package io.knative.lambda.localbroker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;

/** The ingress limits each client: past its burst, 429 with Retry-After and a JSON body, and nothing reaches the bus. */
@QuarkusTest
@TestProfile(RateLimitIT.SmallBucket.class)
@WithTestResource(KafkaResource.class)
class RateLimitIT {

    /** A burst of 3, then one request per 100 s. */
    public static class SmallBucket implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("klambda.rate-limit.burst", "3", "klambda.rate-limit.rate", "0.01");
        }
    }

    private static RequestSpecification invoke(String id) {
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test/flood")
                .header("ce-type", "io.knative.lambda.invoke").header("ce-subject", "parser-flood")
                .contentType("application/json").body("{}");
    }

    @Test
    void aClientPastItsBurstGets429WithRetryAfterAndAJsonBody() {
        for (int i = 0; i < 3; i++) {
            invoke("ok-" + i).post("/").then().statusCode(202);
        }

        // Retry-After: the seconds until the bucket holds a token again, at most 1 / rate
        invoke("flood").post("/").then().statusCode(429).header("Retry-After", matchesPattern("[1-9][0-9]?|100"))
                .contentType("application/json")
                .body("error", equalTo("TooManyRequests")).body("message", startsWith("over the rate limit"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("type",
                "io.knative.lambda.invoke").get("/events").then().body("findAll { it.id == 'ok-2' }.size()", equalTo(1)));
        given().queryParam("type", "io.knative.lambda.invoke").get("/events").then()
                .body("findAll { it.id == 'flood' }.size()", equalTo(0));
    }
}
