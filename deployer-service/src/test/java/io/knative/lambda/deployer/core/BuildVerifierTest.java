package io.knative.lambda.deployer.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.service.signing.BuildSignature;
import io.knative.lambda.service.signing.SigningKeys;

/** Which build.completed events the deployer trusts: the builder's signature, its repository, the named digest. */
class BuildVerifierTest {

    /** As Quarkus configures it: the signature is a field the catalogue's record does not name. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final BuildVerifier verifier = new BuildVerifier(new BuildSignature(JSON),
            Map.of(SigningKeys.keyId(SigningKeys.publicKeyOf(TestBuilds.BUILDER_KEY)), SigningKeys.publicKeyOf(TestBuilds.BUILDER_KEY)),
            Optional.of(TestBuilds.REPO + "/"));

    private Optional<String> check(ObjectNode data) throws Exception {
        return verifier.refusal(data, JSON.treeToValue(data, BuildCompleted.class));
    }

    @Test
    void aBuildTheBuilderSignedForItsOwnRepositoryIsTrusted() throws Exception {
        assertThat(check(TestBuilds.signed(TestBuilds.build("p", TestBuilds.digest('a'))))).isEmpty();
    }

    @Test
    void anUnsignedOrForeignlySignedBuildIsNot() throws Exception {
        ObjectNode unsigned = JSON.valueToTree(TestBuilds.build("p", TestBuilds.digest('a')));
        assertThat(check(unsigned)).get().asString().contains("carries no signature");
        assertThat(check(TestBuilds.signed(TestBuilds.build("p", TestBuilds.digest('a')), TestBuilds.fromSeed("other"))))
                .get().asString().contains("not a key of the builder");
    }

    @Test
    void aChangedSettingOrSourceBreaksTheSignature() throws Exception {
        ObjectNode data = TestBuilds.signed(TestBuilds.build("global", "parser", "p", TestBuilds.digest('a'),
                Map.of("max-scale", "1")));
        ((ObjectNode) data.get("settings")).put("max-scale", "100");
        assertThat(check(data)).get().asString().contains("does not match");
    }

    @Test
    void anImageOfAnotherFunctionsRepositoryOrAnotherDigestIsNotTrustedEvenWhenSigned() throws Exception {
        BuildCompleted b = TestBuilds.build("p", TestBuilds.digest('a'));
        BuildCompleted otherRepo = new BuildCompleted("p", "parser", "global", "python", TestBuilds.REPO + "/parser-q@"
                + b.digest(), b.digest(), b.sourceDigest(), b.bucket(), b.key(), 1, Map.of());
        BuildCompleted otherDigest = new BuildCompleted("p", "parser", "global", "python", b.image(), TestBuilds.digest('c'),
                b.sourceDigest(), b.bucket(), b.key(), 1, Map.of());

        assertThat(check(TestBuilds.signed(otherRepo))).get().asString().contains("not in the builder's repository");
        assertThat(check(TestBuilds.signed(otherDigest))).get().asString().contains("is not the digest");
    }

    @Test
    void withoutKeysOnlyTheRepositoryIsChecked() throws Exception {
        BuildVerifier repositoryOnly = new BuildVerifier(new BuildSignature(JSON), Map.of(), Optional.of(TestBuilds.REPO));
        ObjectNode unsigned = JSON.valueToTree(TestBuilds.build("p", TestBuilds.digest('a')));

        assertThat(repositoryOnly.checksSignatures()).isFalse();
        assertThat(repositoryOnly.refusal(unsigned, JSON.treeToValue(unsigned, BuildCompleted.class))).isEmpty();
    }
}
