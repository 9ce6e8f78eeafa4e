package io.knative.lambda.localcluster.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Kubernetes label selector ({@code a=b,c!=d,e in (f,g),h notin (i),j,!k}) or field selector
 * ({@code metadata.name=x}, {@code metadata.namespace=y}), parsed once and matched against stored objects.
 */
public final class Selector implements Predicate<JsonNode> {

    private static final Pattern SET = Pattern.compile("\\s*([^\\s!=,()]+)\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*");
    private static final Pattern EQUALITY = Pattern.compile("\\s*([^\\s!=,()]+)\\s*(==|=|!=)\\s*([^\\s!=,()]*)\\s*");
    private static final Pattern EXISTS = Pattern.compile("\\s*(!?)([^\\s!=,()]+)\\s*");
    private static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace");

    private final List<Predicate<Function<String, String>>> requirements;
    private final boolean fields;

    private Selector(List<Predicate<Function<String, String>>> requirements, boolean fields) {
        this.requirements = requirements;
        this.fields = fields;
    }

    /** Everything. */
    public static final Selector ALL = new Selector(List.of(), false);

    /** A label selector; {@link ApiException} 400 when it does not parse. */
    public static Selector labels(String expression) {
        return parse(expression, false);
    }

    /** A field selector on {@code metadata.name} / {@code metadata.namespace}; 400 for anything else. */
    public static Selector fields(String expression) {
        return parse(expression, true);
    }

    private static Selector parse(String expression, boolean fields) {
        if (expression == null || expression.isBlank()) {
            return new Selector(List.of(), fields);
        }
        List<Predicate<Function<String, String>>> out = new ArrayList<>();
        for (String term : splitTerms(expression)) {
            Matcher m;
            if (!fields && (m = SET.matcher(term)).matches()) {
                String key = m.group(1);
                Set<String> values = new java.util.HashSet<>(java.util.Arrays.stream(m.group(3).split(","))
                        .map(String::trim).filter(v -> !v.isEmpty()).toList());
                boolean in = m.group(2).equals("in");
                out.add(l -> in == values.contains(l.apply(key)));
            } else if ((m = EQUALITY.matcher(term)).matches()) {
                String key = m.group(1);
                String value = m.group(3);
                if (fields && !FIELDS.contains(key)) {
                    throw ApiException.badRequest("field label not supported: " + key);
                }
                boolean equal = !m.group(2).equals("!=");
                out.add(l -> equal == value.equals(l.apply(key)));
            } else if (!fields && (m = EXISTS.matcher(term)).matches()) {
                String key = m.group(2);
                boolean present = m.group(1).isEmpty();
                out.add(l -> present == (l.apply(key) != null));
            } else {
                throw ApiException.badRequest("unable to parse requirement: \"" + term.trim() + "\" in selector \""
                        + expression + "\"");
            }
        }
        return new Selector(List.copyOf(out), fields);
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTerms(String expression) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                terms.add(expression.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(expression.substring(start));
        return terms;
    }

    @Override
    public boolean test(JsonNode object) {
        if (requirements.isEmpty()) {
            return true;
        }
        JsonNode metadata = object.path("metadata");
        Function<String, String> values = fields ? key -> metadata.path(key.substring("metadata.".length())).asText()
                : key -> {
                    JsonNode label = metadata.path("labels").get(key);
                    return label == null ? null : label.asText();
                };
        for (Predicate<Function<String, String>> r : requirements) {
            if (!r.test(values)) {
                return false;
            }
        }
        return true;
    }
}
