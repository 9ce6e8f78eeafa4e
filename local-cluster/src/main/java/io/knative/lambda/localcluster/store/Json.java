package io.knative.lambda.localcluster.store;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON of the local cluster: the fabric8 model's objects to and from the store's trees. */
public final class Json {

    /** Lenient on unknown fields (as the fabric8 client is), no nulls written. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** Map keys sorted: the same object always gives the same text (for hashes). */
    private static final ObjectMapper CANONICAL = MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {
    }

    /** The object as a tree. */
    public static ObjectNode tree(Object object) {
        return MAPPER.valueToTree(object);
    }

    /** The tree as an object of {@code type}. */
    public static <T> T object(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a request body; {@link ApiException} 400 when it is not a JSON object. */
    public static ObjectNode parseObject(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        throw ApiException.badRequest("the body is not a JSON object");
    }

    /** The object's JSON with map keys sorted. */
    public static String canonical(Object object) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.valueToTree(object));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compact JSON bytes. */
    public static byte[] bytes(Object object) {
        try {
            return MAPPER.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
