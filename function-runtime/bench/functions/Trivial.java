import java.util.Map;

/** The benchmark's trivial Java function: echoes one field. */
public class Trivial {
    public static Map<String, Object> handler(Map<String, Object> event) {
        return Map.of("ok", true, "n", event.getOrDefault("n", 0));
    }
}
