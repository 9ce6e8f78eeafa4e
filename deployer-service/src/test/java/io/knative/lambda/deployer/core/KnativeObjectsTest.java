package io.knative.lambda.deployer.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.knative.lambda.testsupport.KnativeSchemas;
import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.events.BuildCompleted;

/** The desired Service and Trigger: what a build decides, and that both satisfy their published schemas. */
class KnativeObjectsTest {

    private final DeployerSettings settings = DeployerSettings.defaults("knative-lambda", "knative-lambda")
            .withDeadLetterSink("http://dead-letter.knative-lambda.svc.cluster.local");
    private final KnativeObjects objects = new KnativeObjects(settings);
    private final SettingsResolver resolver = new SettingsResolver(settings.defaults(), settings.limits());

    @Test
    void desiredServiceRunsTheImageByDigestWithDefaultsLabelsAndRestrictedSecurity() throws Exception {
        BuildCompleted build = TestBuilds.build("my-parser", TestBuilds.digest('a'));

        Service service = objects.desiredService(build, "evt-1", resolver.resolve(Map.of()));

        assertThat(service.getMetadata().getName()).isEqualTo("parser-my-parser");
        assertThat(service.getMetadata().getNamespace()).isEqualTo("knative-lambda");
        assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "parser-my-parser")
                .containsEntry("app.kubernetes.io/managed-by", "knative-lambda")
                .containsEntry("io.knative.lambda/function-id", "my-parser")
                .containsEntry("io.knative.lambda/scope", "global")
                .containsEntry("io.knative.lambda/kind", "parser");
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("io.knative.lambda/source-digest", build.sourceDigest())
                .containsEntry("io.knative.lambda/source", "s3://functions/global/parser/my-parser")
                .containsEntry("io.knative.lambda/build-event-id", "evt-1")
                .containsEntry("io.knative.lambda/image-digest", build.digest())
                .containsKey("io.knative.lambda/spec-hash");
        assertThat(service.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/min-scale", "0")
                .containsEntry("autoscaling.knative.dev/max-scale", "10");
        assertThat(service.getSpec().getTemplate().getSpec().getContainerConcurrency()).isEqualTo(10L);
        Container container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(build.image()).contains("@sha256:");
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                org.assertj.core.groups.Tuple.tuple("FUNCTION_ID", "my-parser"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_RUNTIME", "python"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_SCOPE", "global"));
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(service.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).as("no API token in the pod")
                .isFalse();
        assertThat(service.getSpec().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getLatestRevision()).isTrue());
        KnativeSchemas.assertValid(service);
    }

    @Test
    void functionYamlEnvironmentVariablesReachTheContainerBesideThePlatformOnes() throws Exception {
        BuildCompleted build = TestBuilds.withEnvironment("env-fn", TestBuilds.digest('c'),
                Map.of("API_URL", "https://api.example.com", "LOG_LEVEL", "debug"));

        Service service = objects.desiredService(build, "evt-env", resolver.resolve(Map.of()));

        Container container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                org.assertj.core.groups.Tuple.tuple("API_URL", "https://api.example.com"),
                org.assertj.core.groups.Tuple.tuple("LOG_LEVEL", "debug"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_ID", "env-fn"));
        assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates();
        KnativeSchemas.assertValid(service);
    }

    @Test
    void settingsOverrideScalingConcurrencyTimeoutResourcesHandlerAndExecution() throws Exception {
        BuildCompleted build = TestBuilds.build("acme", "enricher", "e1", TestBuilds.digest('b'),
                Map.of("min-scale", "1", "max-scale", "3", "container-concurrency", "4", "timeout-seconds", "30",
                        "cpu", "250m", "memory", "256Mi", "handler", "main", "execution", "event-loop"));

        Service service = objects.desiredService(build, "evt-2", resolver.resolve(build.settings()));

        var template = service.getSpec().getTemplate();
        assertThat(template.getMetadata().getAnnotations()).containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/max-scale", "3");
        assertThat(template.getSpec().getContainerConcurrency()).isEqualTo(4L);
        assertThat(template.getSpec().getTimeoutSeconds()).isEqualTo(30L);
        Container container = template.getSpec().getContainers().get(0);
        assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
        assertThat(container.getResources().getRequests().get("memory").toString()).isEqualTo("256Mi");
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                org.assertj.core.groups.Tuple.tuple("FUNCTION_HANDLER", "main"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_TIMEOUT_MS", "30000"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_CONCURRENCY", "4"),
                org.assertj.core.groups.Tuple.tuple("FUNCTION_EXECUTION", "event-loop"));
        KnativeSchemas.assertValid(service);
    }

    @Test
    void sameBuildGivesTheSameSpecHashAndANewDigestAnother() throws Exception {
        FunctionSettings fn = resolver.resolve(Map.of());
        String first = objects.desiredService(TestBuilds.build("h", TestBuilds.digest('a')), "e1", fn).getMetadata()
                .getAnnotations().get(Labels.SPEC_HASH);
        String again = objects.desiredService(TestBuilds.build("h", TestBuilds.digest('a')), "e2", fn).getMetadata()
                .getAnnotations().get(Labels.SPEC_HASH);
        String other = objects.desiredService(TestBuilds.build("h", TestBuilds.digest('c')), "e3", fn).getMetadata()
                .getAnnotations().get(Labels.SPEC_HASH);

        assertThat(again).as("the build event id is provenance, not spec").isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void desiredTriggerFiltersInvokeEventsOfTheFunctionToItsServiceWithRetriesAndDeadLetter() throws Exception {
        BuildCompleted build = TestBuilds.build("my-parser", TestBuilds.digest('a'));
        Service owner = objects.desiredService(build, "e", resolver.resolve(Map.of()));
        owner.getMetadata().setUid("0b1c6c1e-5b1a-4c41-9d3c-1f0a5e6b7c8d");

        Trigger trigger = objects.desiredTrigger(build, owner);

        assertThat(trigger.getMetadata().getName()).isEqualTo("parser-my-parser");
        assertThat(trigger.getSpec().getBroker()).isEqualTo("knative-lambda");
        assertThat(trigger.getSpec().getFilter().getAttributes()).containsExactlyInAnyOrderEntriesOf(
                Map.of("type", "io.knative.lambda.invoke", "subject", "parser-my-parser"));
        assertThat(trigger.getSpec().getSubscriber().getRef().getKind()).isEqualTo("Service");
        assertThat(trigger.getSpec().getSubscriber().getRef().getApiVersion()).isEqualTo("serving.knative.dev/v1");
        assertThat(trigger.getSpec().getSubscriber().getRef().getName()).isEqualTo("parser-my-parser");
        assertThat(trigger.getSpec().getDelivery().getRetry()).isEqualTo(5);
        assertThat(trigger.getSpec().getDelivery().getBackoffPolicy()).isEqualTo("exponential");
        assertThat(trigger.getSpec().getDelivery().getBackoffDelay()).isEqualTo("PT1S");
        assertThat(trigger.getSpec().getDelivery().getDeadLetterSink().getUri())
                .isEqualTo("http://dead-letter.knative-lambda.svc.cluster.local");
        assertThat(trigger.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(owner.getMetadata().getUid()));
        KnativeSchemas.assertValid(trigger);
    }

    @Test
    void withoutTheTmpVolumeTheServiceHasNoVolumes() throws Exception {
        DeployerSettings noTmp = new DeployerSettings("knative-lambda", "knative-lambda", java.util.Optional.empty(),
                settings.readyTimeout(), 5, settings.defaults(), settings.limits(), settings.trigger(),
                java.util.Optional.empty(), java.util.Optional.of(65532L), false);

        Service service = new KnativeObjects(noTmp).desiredService(TestBuilds.build("notmp", TestBuilds.digest('a')), "e",
                resolver.resolve(Map.of()));

        assertThat(service.getSpec().getTemplate().getSpec().getVolumes()).isNullOrEmpty();
        Container container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getVolumeMounts()).isNullOrEmpty();
        assertThat(container.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        KnativeSchemas.assertValid(service);
    }

    @Test
    void aDeadLetterSinkByReferenceIsWrittenAsARef() {
        KnativeObjects byRef = new KnativeObjects(settings.withDeadLetterSink(DeployerSettings.DeadLetterSink.ofRef(
                "eventing.knative.dev/v1alpha1", "KafkaSink", "knative-lambda-dead-letters")));

        Trigger trigger = byRef.desiredTrigger(TestBuilds.build("dl", TestBuilds.digest('a')), null);

        var ref = trigger.getSpec().getDelivery().getDeadLetterSink().getRef();
        assertThat(ref.getKind()).isEqualTo("KafkaSink");
        assertThat(ref.getName()).isEqualTo("knative-lambda-dead-letters");
        assertThat(ref.getApiVersion()).isEqualTo("eventing.knative.dev/v1alpha1");
        assertThat(trigger.getSpec().getDelivery().getDeadLetterSink().getUri()).isNull();
        KnativeSchemas.assertValid(trigger);
    }

    @Test
    void functionsOfAnotherScopeOrKindThatReuseAnIdGetTriggersThatNeverMatchEachOthersInvocations() throws Exception {
        Trigger parser = objects.desiredTrigger(TestBuilds.build("global", "parser", "dup", TestBuilds.digest('a'), Map.of()), null);
        Trigger other = objects.desiredTrigger(TestBuilds.build("tenant-b", "other", "dup", TestBuilds.digest('b'), Map.of()),
                null);

        assertThat(parser.getSpec().getFilter().getAttributes()).containsEntry("subject", "parser-dup");
        assertThat(other.getSpec().getFilter().getAttributes()).containsEntry("subject", "other-dup");
        assertThat(parser.getSpec().getSubscriber().getRef().getName()).isEqualTo("parser-dup");
        assertThat(other.getSpec().getSubscriber().getRef().getName()).isEqualTo("other-dup");
    }

    @Test
    void aConfiguredScopeAttributeIsAddedToTheTriggerFilter() throws Exception {
        DeployerSettings scoped = new DeployerSettings("knative-lambda", "knative-lambda", java.util.Optional.empty(),
                settings.readyTimeout(), 5, settings.defaults(), settings.limits(),
                new DeployerSettings.TriggerDelivery(5, "exponential", "PT1S", java.util.Optional.of("klambdascope")),
                java.util.Optional.empty(), java.util.Optional.empty(), true);
        BuildCompleted build = TestBuilds.build("acme", "parser", "p", TestBuilds.digest('a'), Map.of());

        Trigger trigger = new KnativeObjects(scoped).desiredTrigger(build, null);

        assertThat(trigger.getSpec().getFilter().getAttributes()).containsEntry("klambdascope", "acme");
        KnativeSchemas.assertValid(trigger);
    }

    @Test
    void theSchemaCheckRejectsADeliberatelyWrongServiceAndTrigger() throws Exception {
        Service service = objects.desiredService(TestBuilds.build("bad", TestBuilds.digest('a')), "e",
                resolver.resolve(Map.of()));
        String typo = io.fabric8.kubernetes.client.utils.Serialization.asJson(service)
                .replace("\"containerConcurrency\":10", "\"containerConcurency\":10");
        String wrongType = io.fabric8.kubernetes.client.utils.Serialization.asJson(service)
                .replace("\"containerConcurrency\":10", "\"containerConcurrency\":\"ten\"");
        Service badName = new io.fabric8.knative.serving.v1.ServiceBuilder(service)
                .withMetadata(new ObjectMetaBuilder(service.getMetadata()).withName("Parser_Bad").build()).build();
        Trigger trigger = objects.desiredTrigger(TestBuilds.build("bad", TestBuilds.digest('a')), null);
        String badRetry = io.fabric8.kubernetes.client.utils.Serialization.asJson(trigger).replace("\"retry\":5",
                "\"retry\":\"five\"");

        assertThat(KnativeSchemas.violations(typo)).as("unknown field").isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains("containerConcurency"));
        assertThat(KnativeSchemas.violations(wrongType)).as("wrong type").isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains("containerConcurrency"));
        assertThat(KnativeSchemas.violations(badName)).as("invalid name").isNotEmpty();
        assertThat(KnativeSchemas.violations(badRetry)).as("trigger retry as a string").isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains("retry"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KnativeSchemas.assertValid(typo))
                .isInstanceOf(AssertionError.class).hasMessageContaining("violates its published schema");
    }
}
