package io.knative.lambda.runtime;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON for the runtime: Jackson's streaming parser and generator over byte arrays, walked here into and out of plain
 * maps, lists and values (standard JSON: no comments), and Jackson data binding only for a handler result that is
 * some other object, loaded on first use (its ~600 classes would otherwise be most of what the runtime loads at
 * start). NaN and Infinity are refused ({@link NotJsonException}): Jackson would write them as the strings "NaN" and
 * "Infinity".
 */
final class Json {

    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /**
     * Parses one JSON document into LinkedHashMap / ArrayList / String / Integer, Long, BigInteger, Double / Boolean /
     * null (a repeated key: the last value); IOException (Jackson's, with its message) when it is not one.
     */
    static Object parse(byte[] bytes) throws IOException {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new JsonParseException(parser, "no JSON document (the body is empty)");
            }
            Object value = value(parser, first);
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON document (trailing content)");
            }
            return value;
        }
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    map.put(name, value(parser, parser.nextToken()));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(value(parser, t));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                return parser.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new JsonParseException(parser, "unexpected token " + token);
        }
    }

    /** Serialises a handler result, a log record or an error body; NotJsonException for a number JSON cannot carry. */
    static byte[] write(Object value) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator generator = new FiniteNumbers(FACTORY.createGenerator(out))) {
            writePlain(value, generator);
            generator.flush();
            return out.toByteArray();
        } catch (NotPlain e) {
            // some value is neither a map, a list nor a plain value: the whole result goes through data binding
        }
        ByteArrayBuilder bound = new ByteArrayBuilder(256); // a bean or another type data binding knows
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

    private static void writePlain(Object value, JsonGenerator g) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof CharSequence || value instanceof Enum<?> || value instanceof TemporalAccessor) {
            g.writeString(value instanceof Enum<?> e ? e.name() : value.toString());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writePlain(e.getValue(), g);
            }
            g.writeEndObject();
        } else if (value instanceof Iterable<?> items) {
            g.writeStartArray();
            for (Object v : items) {
                writePlain(v, g);
            }
            g.writeEndArray();
        } else if (value instanceof Object[] items) {
            g.writeStartArray();
            for (Object v : items) {
                writePlain(v, g);
            }
            g.writeEndArray();
        } else {
            throw NotPlain.INSTANCE;
        }
    }

    /** Met a value of a type of its own (a bean, a record): data binding writes the result instead. */
    private static final class NotPlain extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super("not a plain value", null, false, false);
        }
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

    /** {"error": code, "message": message}: the JSON body of every error answer. */
    static byte[] errorBody(String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        try {
            return write(body);
        } catch (IOException | RuntimeException e) {
            return "{\"error\":\"RuntimeError\",\"message\":\"\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
