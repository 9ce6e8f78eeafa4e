package io.knative.lambda.service.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class BuildSignatureTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final BuildSignature signatures = new BuildSignature(mapper);
    private final KeyPair builder = SigningKeys.generate();
    private final Map<String, PublicKey> trusted = SigningKeys.publicKeys(SigningKeys.pem(builder.getPublic()));
    private final String keyId = SigningKeys.keyId(builder.getPublic());

    private Map<String, Object> data() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("functionId", "my-parser");
        data.put("kind", "parser");
        data.put("scope", "global");
        data.put("image", "registry.example/functions/parser-my-parser@sha256:" + "a".repeat(64));
        data.put("digest", "sha256:" + "a".repeat(64));
        data.put("settings", Map.of("max-scale", "3", "cpu", "1"));
        return data;
    }

    @Test
    void whatTheBuilderSignedVerifiesWhateverTheFieldOrderInTransit() throws Exception {
        ObjectNode signed = signatures.sign(data(), builder.getPrivate(), keyId);
        // a broker may re-encode the JSON: reorder the fields, reformat it
        String reordered = "{\"settings\":{\"cpu\":\"1\",\"max-scale\":\"3\"},\"signature\":" + signed.get("signature")
                + ",\"scope\":\"global\",\"kind\":\"parser\",\"functionId\":\"my-parser\",\"digest\":\"" + signed.get("digest").asText()
                + "\",\n  \"image\":\"" + signed.get("image").asText() + "\"}";

        assertThat(signatures.verify(signed, trusted)).isNull();
        assertThat(signatures.verify(mapper.readTree(reordered), trusted)).isNull();
        assertThat(signed.get("signature").get("keyId").asText()).isEqualTo(keyId).hasSize(16);
    }

    @Test
    void anyChangedAddedOrRemovedFieldBreaksIt() {
        ObjectNode signed = signatures.sign(data(), builder.getPrivate(), keyId);

        ObjectNode otherImage = signed.deepCopy().put("image", "evil.example/x@sha256:" + "b".repeat(64));
        ObjectNode otherSetting = signed.deepCopy();
        ((ObjectNode) otherSetting.get("settings")).put("max-scale", "100");
        ObjectNode added = signed.deepCopy().put("env", "X=1");
        ObjectNode removed = signed.deepCopy();
        removed.remove("scope");

        for (ObjectNode forged : new ObjectNode[] { otherImage, otherSetting, added, removed }) {
            assertThat(signatures.verify(forged, trusted)).isEqualTo("the signature does not match the event's data");
        }
    }

    @Test
    void anUnsignedEventOrOneOfAnotherKeyIsRefusedWithTheReason() {
        KeyPair attacker = SigningKeys.generate();
        ObjectNode foreign = signatures.sign(data(), attacker.getPrivate(), SigningKeys.keyId(attacker.getPublic()));
        ObjectNode spoofedId = signatures.sign(data(), attacker.getPrivate(), keyId);

        assertThat(signatures.verify(mapper.valueToTree(data()), trusted)).isEqualTo("the event carries no signature");
        assertThat(signatures.verify(foreign, trusted)).isEqualTo("the signature's key id is not a key of the builder");
        assertThat(signatures.verify(spoofedId, trusted)).isEqualTo("the signature does not match the event's data");
        assertThat(signatures.verify(mapper.createArrayNode(), trusted)).isEqualTo("the data is not a JSON object");
    }

    @Test
    void keysRoundTripThroughPemAndAPublicKeyFileMayHoldSeveralForARotation() {
        KeyPair next = SigningKeys.generate();
        String both = SigningKeys.pem(builder.getPublic()) + SigningKeys.pem(next.getPublic());

        assertThat(SigningKeys.publicKeys(both)).containsOnlyKeys(keyId, SigningKeys.keyId(next.getPublic()));
        assertThat(SigningKeys.privateKey(SigningKeys.pem(builder.getPrivate())).getEncoded())
                .isEqualTo(builder.getPrivate().getEncoded());
        assertThat(SigningKeys.keyId(SigningKeys.publicKeyOf(builder.getPrivate()))).as("derived from the private key alone")
                .isEqualTo(keyId);
        String bare = java.util.Base64.getEncoder().encodeToString(builder.getPublic().getEncoded());
        assertThat(SigningKeys.publicKeys(bare)).containsOnlyKeys(keyId);
    }
}
