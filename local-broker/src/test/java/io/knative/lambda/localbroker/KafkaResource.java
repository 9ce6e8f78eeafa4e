package io.knative.lambda.localbroker;

import java.util.Map;

import io.knative.lambda.testsupport.KafkaServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real Kafka broker for the local broker under test, with quick retries. */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    static KafkaServer kafka;

    @Override
    public Map<String, String> start() {
        kafka = KafkaServer.start();
        return Map.of("klambda.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "klambda.dispatch.max-attempts", "3",
                "klambda.dispatch.backoff", "100ms",
                "klambda.dispatch.timeout", "5s");
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
