import java.util.LinkedHashMap;
import java.util.Map;

/** The Java twin of the developer guide's parser.py (uploaded as parser.java). */
public class Parser {

    /** Process CloudEvent data and return the result. */
    public Map<String, Object> handler(Map<String, Object> event) {
        Object parserId = event.get("parser_id");
        Object thirdPartyId = event.get("third_party_id");
        Object data = event.getOrDefault("data", Map.of());

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", "success");
        result.put("parser_id", parserId);
        result.put("result", processData(data));
        return result;
    }

    static Map<String, Object> processData(Object data) {
        return Map.of("processed", true);
    }

    /** For local testing, as parser.py's main block; the runtime never calls it. */
    public static void main(String[] args) {
        System.out.println(new Parser().handler(Map.of("parser_id", "test-parser", "third_party_id", "customer-123")));
    }
}
