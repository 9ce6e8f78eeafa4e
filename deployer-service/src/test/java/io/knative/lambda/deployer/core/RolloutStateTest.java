package io.knative.lambda.deployer.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;

/** Reading a rollout's outcome from the Knative Service status for the generation the deployer wrote. */
class RolloutStateTest {

    @Test
    void anUnobservedGenerationIsPending() {
        assertThat(RolloutState.of(service(2, 1, "True", null, null, "f-00001", "f-00001"), 2, null))
                .isInstanceOf(RolloutState.Pending.class);
    }

    @Test
    void readyWithTheLatestCreatedRevisionReadyIsReadyWithUrlAndRevision() {
        RolloutState state = RolloutState.of(service(2, 2, "True", null, null, "f-00002", "f-00002"), 2, null);

        assertThat(state).isEqualTo(new RolloutState.Ready("http://f.knative-lambda.example.com", "f-00002"));
    }

    @Test
    void readyWhileTheNewRevisionIsNotYetReadyIsPending() {
        assertThat(RolloutState.of(service(2, 2, "True", null, null, "f-00002", "f-00001"), 2, null))
                .isInstanceOf(RolloutState.Pending.class);
    }

    @Test
    void readyFalseCarriesKnativesOwnReasonAndMessage() {
        RolloutState state = RolloutState.of(service(2, 2, "False", "RevisionFailed",
                "Revision \"f-00002\" failed with message: Back-off pulling image", "f-00002", "f-00001"), 2, null);

        assertThat(state).isEqualTo(new RolloutState.Failed("RevisionFailed",
                "Revision \"f-00002\" failed with message: Back-off pulling image"));
    }

    @Test
    void theRevisionsOwnFailureFromConfigurationsReadyWinsOverReadysSummary() {
        Service service = new ServiceBuilder(service(1, 1, "False", "RevisionMissing",
                "Configuration \"f\" does not have any ready Revision.", "f-00001", null))
                .editStatus().addNewCondition().withType("ConfigurationsReady").withStatus("False")
                .withReason("RevisionFailed").withMessage("Revision \"f-00001\" failed with message: Back-off pulling image")
                .endCondition().endStatus().build();

        assertThat(RolloutState.of(service, 1, null)).isEqualTo(new RolloutState.Failed("RevisionFailed",
                "Revision \"f-00001\" failed with message: Back-off pulling image"));
    }

    @Test
    void readyUnknownIsPending() {
        assertThat(RolloutState.of(service(1, 1, "Unknown", "Deploying", null, "f-00001", null), 1, null))
                .isInstanceOf(RolloutState.Pending.class);
    }

    @Test
    void aNewerGenerationSupersedesTheRollout() {
        assertThat(RolloutState.of(service(3, 2, "Unknown", null, null, "f-00002", "f-00001"), 2, null))
                .isEqualTo(new RolloutState.Superseded(3));
    }

    @Test
    void aPinnedRolloutIsReadyOnlyWhenTheStatusRoutesAllTrafficToTheRevision() {
        Service notYet = service(4, 4, "True", null, null, "f-00003", "f-00003");
        Service routed = new ServiceBuilder(notYet).editStatus().addNewTraffic().withRevisionName("f-00001")
                .withPercent(100L).endTraffic().endStatus().build();

        assertThat(RolloutState.of(notYet, 4, "f-00001")).isInstanceOf(RolloutState.Pending.class);
        assertThat(RolloutState.of(routed, 4, "f-00001"))
                .isEqualTo(new RolloutState.Ready("http://f.knative-lambda.example.com", "f-00001"));
    }

    @Test
    void aDeletedServiceFails() {
        assertThat(RolloutState.of(null, 1, null)).isInstanceOf(RolloutState.Failed.class);
    }

    static Service service(long generation, long observed, String ready, String reason, String message, String created,
            String latestReady) {
        return new ServiceBuilder()
                .withNewMetadata().withName("f").withGeneration(generation).endMetadata()
                .withNewStatus()
                    .withObservedGeneration(observed)
                    .withUrl("http://f.knative-lambda.example.com")
                    .withLatestCreatedRevisionName(created)
                    .withLatestReadyRevisionName(latestReady)
                    .addNewCondition().withType("Ready").withStatus(ready).withReason(reason).withMessage(message)
                    .endCondition()
                .endStatus()
                .build();
    }
}
