package io.knative.lambda.service.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The builder's Ed25519 signature on the data of {@code io.knative.lambda.build.completed}, carried in the data's
 * {@value #FIELD} field as {@code {"keyId", "algorithm": "Ed25519", "value"}} (base64). It signs a canonical form of
 * every other field of the data (function id, kind, scope, runtime, image, digest, source digest, bucket, key,
 * settings, and whatever the catalogue adds): the type name, a newline, then the JSON with object keys sorted at
 * every level and no whitespace, as Jackson writes it. A field added, removed or changed in transit breaks it.
 */
public final class BuildSignature {

    /** The data field that carries the signature. */
    public static final String FIELD = "signature";
    /** The only algorithm. */
    public static final String ALGORITHM = "Ed25519";
    private static final byte[] DOMAIN = "io.knative.lambda.build.completed\n".getBytes(StandardCharsets.UTF_8);

    private final ObjectMapper mapper;

    public BuildSignature(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code data} (a JSON object) with a {@value #FIELD} field made with {@code key}. */
    public ObjectNode sign(Object data, PrivateKey key, String keyId) {
        ObjectNode node = mapper.valueToTree(data);
        node.remove(FIELD);
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(canonical(node));
            node.putObject(FIELD).put("keyId", keyId).put("algorithm", ALGORITHM)
                    .put("value", Base64.getEncoder().encodeToString(signer.sign()));
            return node;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the build signing key: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the {@value #FIELD} of {@code data} against {@code keys} (by key id).
     *
     * @return {@code null} when a known key signed exactly the rest of {@code data}, else why not
     */
    public String verify(JsonNode data, Map<String, PublicKey> keys) {
        if (data == null || !data.isObject()) {
            return "the data is not a JSON object";
        }
        JsonNode signature = data.get(FIELD);
        if (signature == null || !signature.isObject()) {
            return "the event carries no signature";
        }
        if (!ALGORITHM.equals(signature.path("algorithm").asText())) {
            return "the signature's algorithm is not " + ALGORITHM;
        }
        PublicKey key = keys.get(signature.path("keyId").asText(""));
        if (key == null) {
            return "the signature's key id is not a key of the builder";
        }
        byte[] value;
        try {
            value = Base64.getDecoder().decode(signature.path("value").asText(""));
        } catch (IllegalArgumentException e) {
            return "the signature is not base64";
        }
        ObjectNode signed = ((ObjectNode) data).deepCopy();
        signed.remove(FIELD);
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(canonical(signed));
            return verifier.verify(value) ? null : "the signature does not match the event's data";
        } catch (GeneralSecurityException e) {
            return "the signature cannot be checked: " + e.getMessage();
        }
    }

    /** The bytes signed: the domain line, then the JSON with sorted keys. */
    byte[] canonical(JsonNode data) {
        try {
            byte[] json = mapper.writeValueAsBytes(sorted(data));
            byte[] out = new byte[DOMAIN.length + json.length];
            System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
            System.arraycopy(json, 0, out, DOMAIN.length, json.length);
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is always writable", e);
        }
    }

    private JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode out = mapper.createObjectNode();
            fields.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = mapper.createArrayNode();
            node.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node;
    }
}
