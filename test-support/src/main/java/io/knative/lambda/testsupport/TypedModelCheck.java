package io.knative.lambda.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * For the kinds the npm schema packages have no model of — only eventing-kafka-broker's
 * {@code KafkaSink} — the strictest check a registry package allows: fabric8's {@code knative-model}
 * (Maven Central), generated from the eventing-kafka-broker API types. Every field must be one the
 * model names, with the model's JSON type (no coercion of strings to numbers, no lone value for a list).
 * What the model cannot say — required fields, enum values — is not checked here.
 */
final class TypedModelCheck {

    private static final Map<String, Class<?>> MODELS = Map.of(
            "eventing.knative.dev/v1alpha1/KafkaSink", io.fabric8.knative.eventing.v1alpha1.KafkaSink.class);

    private TypedModelCheck() {
    }

    /** Whether a typed model stands in for a published schema of this kind. */
    static boolean knows(String apiVersion, String kind) {
        return MODELS.containsKey(apiVersion + "/" + kind);
    }

    /** Unknown fields and wrong JSON types of the object against its typed model; empty when it fits. */
    static List<String> violations(JsonNode object) {
        Class<?> model = MODELS.get(object.path("apiVersion").asText() + "/" + object.path("kind").asText());
        List<String> violations = new ArrayList<>();
        ObjectMapper mapper = strictMapper(violations);
        try {
            mapper.treeToValue(object, model);
        } catch (MismatchedInputException e) {
            violations.add(pointer(e) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            violations.add("/: " + e.getMessage());
        }
        return violations;
    }

    private static ObjectMapper strictMapper(List<String> violations) {
        JsonMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE; // the models keep unknown fields in a map; here they are violations
                    }
                })
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .addHandler(new DeserializationProblemHandler() {
                    @Override
                    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                            Object beanOrClass, String propertyName) throws IOException {
                        violations.add(p.getParsingContext().pathAsPointer() + ": unknown field '" + propertyName
                                + "' (the typed model of " + ((beanOrClass instanceof Class<?> c) ? c : beanOrClass.getClass())
                                        .getSimpleName() + " names no such property)");
                        p.skipChildren();
                        return true;
                    }
                })
                .build();
        for (CoercionInputShape scalar : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail); // no 3 for "3"
        }
        return mapper;
    }

    private static String pointer(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            path.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : Integer.toString(ref.getIndex()));
        }
        return path.isEmpty() ? "/" : path.toString();
    }
}
