import java.util.Map;

/** Loads slowly (1.5 s in its static initializer): the runtime must not be ready before it is loaded. */
public class SlowFunction {
    static {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static Map<String, Object> handler(Map<String, Object> event) {
        return Map.of("ok", true);
    }
}
