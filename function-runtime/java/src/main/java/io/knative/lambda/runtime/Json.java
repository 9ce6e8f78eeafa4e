package io.knative.lambda.runtime;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
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
 * beyond a bare Quarkus app. NaN and Infinity are refused ({@link NotJsonException}): Jackson would write them as
 * the strings "NaN" and "Infinity".
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

    /** Serialises a handler result, a log record or an error body; NotJsonException for a number JSON cannot carry. */
    static byte[] write(Object value) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator generator = new FiniteNumbers(FACTORY.createGenerator(out))) {
            JacksonCodec.encodeJson(value, generator);
        } catch (EncodeException notPlain) { // a bean or another type data binding knows
            ByteArrayBuilder bound = new ByteArrayBuilder(256);
            try (JsonGenerator generator = new FiniteNumbers(FACTORY.createGenerator(bound))) {
                Binding.MAPPER.writeValue(generator, value);
            } catch (IOException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof NotJsonException notJson) { // data binding wraps what a generator throws
                        throw notJson;
                    }
                }
                throw e;
            }
            return bound.toByteArray();
        }
        return out.toByteArray();
    }

    /** A value JSON cannot carry (NaN, Infinity); the message names it and where it is (a JSON Pointer). */
    static final class NotJsonException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotJsonException(String what, String where) {
            super(where.isEmpty() ? what : what + " at " + where, null, false, false);
        }
    }

    /** A generator that throws NotJsonException for NaN and the infinities instead of writing them. */
    private static final class FiniteNumbers extends JsonGeneratorDelegate {
        FiniteNumbers(JsonGenerator generator) {
            super(generator, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            if (!Double.isFinite(v)) {
                throw notJson(v);
            }
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws IOException {
            if (!Float.isFinite(v)) {
                throw notJson(v);
            }
            super.writeNumber(v);
        }

        private NotJsonException notJson(double v) {
            // in an array the context still counts the element before this one: the pointer names the next index
            JsonStreamContext context = getOutputContext();
            String where = context.inArray()
                    ? context.getParent().pathAsPointer() + "/" + (context.getCurrentIndex() + 1)
                    : context.pathAsPointer().toString();
            return new NotJsonException(Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity", where);
        }
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
