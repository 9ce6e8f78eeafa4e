package io.knative.lambda.service.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON as the platform accepts it on every entry point: UTF-8 only (RFC 8259), one value and nothing after
 * it, no member name twice in an object (two parsers could read two different values), at most
 * {@value #MAX_DEPTH} levels of nesting and numbers of at most {@value #MAX_NUMBER_LENGTH} digits.
 */
public final class StrictJson {

    /** Deepest nesting of arrays and objects accepted (Jackson's default). */
    public static final int MAX_DEPTH = 1000;
    /** Longest number accepted, in characters (Jackson's default). */
    public static final int MAX_NUMBER_LENGTH = 1000;

    private static final ObjectReader READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    private StrictJson() {
    }

    /**
     * The JSON value in {@code bytes}.
     *
     * @throws InvalidJsonException saying what is wrong, in words a sender can act on
     */
    public static JsonNode parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidJsonException("it is not UTF-8");
        }
        if (text.isBlank()) {
            throw new InvalidJsonException("it is empty");
        }
        if (text.charAt(0) == '\uFEFF') {
            throw new InvalidJsonException("it starts with a byte order mark");
        }
        try {
            return READER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new InvalidJsonException(e.getMessage().contains("depth") ? "it is nested deeper than " + MAX_DEPTH
                    + " levels" : "a value is longer than allowed (numbers: " + MAX_NUMBER_LENGTH + " digits)");
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            throw new InvalidJsonException(why == null ? "it is not JSON" : Sanitized.text(why, 200));
        }
    }
}
