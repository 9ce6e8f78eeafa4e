package io.knative.lambda.runtime;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * JSON for the runtime: Jackson's streaming parser and generator over byte arrays (Vert.x's tree walk, standard
 * JSON: no comments) for maps, lists and plain values, and Jackson data binding only for a handler result that is
 * some other object, loaded on first use. Data binding's ~600 classes were most of what the runtime loads at start
 * beyond a bare Quarkus app.
 */
final class Json {

    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** Parses a JSON document into LinkedHashMap / ArrayList / String / Integer, Long, BigInteger, Double / Boolean / null. */
    static Object parse(byte[] bytes) throws DecodeException {
        JsonParser parser;
        try {
            parser = FACTORY.createParser(bytes);
        } catch (IOException e) {
            throw new DecodeException(e.getMessage(), e);
        }
        Object value = JacksonCodec.fromParser(parser, Object.class);
        if (value instanceof JsonObject o) {
            return o.getMap();
        }
        if (value instanceof JsonArray a) {
            return a.getList();
        }
        return value;
    }

    /** Serialises a handler result, a log record or an error body. */
    static byte[] write(Object value) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            JacksonCodec.encodeJson(value, generator);
        } catch (EncodeException notPlain) { // a bean or another type data binding knows
            return Binding.MAPPER.writeValueAsBytes(value);
        }
        return out.toByteArray();
    }

    /** {@link #write} as a String. */
    static String writeString(Object value) throws IOException {
        return new String(write(value), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Holds the data-binding mapper: created only when a result needs it. */
    private static final class Binding {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
