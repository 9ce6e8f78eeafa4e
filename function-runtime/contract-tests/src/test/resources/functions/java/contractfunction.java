package com.example.fn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The contract suite's Java function: a two-parameter handler whose behaviour the event chooses. */
public class ContractFunction {

    public Object handler(Map<String, Object> event, Map<String, Object> attributes) throws Exception {
        String action = String.valueOf(event.getOrDefault("action", "echo"));
        switch (action) {
            case "echo":
                return Map.of("echo", event);
            case "attributes":
                return Map.of("attributes", attributes);
            case "invalid":
                throw new IllegalArgumentException(String.valueOf(event.getOrDefault("why", "invalid")));
            case "fail":
                throw new IllegalStateException("secret-detail-" + event.get("secret"));
            case "sleep": {
                long ms = ((Number) event.get("ms")).longValue();
                Thread.sleep(ms);
                return Map.of("slept", ms);
            }
            case "hold": {
                // like a handler that ignores interruption: keeps its slot until done
                long ms = ((Number) event.get("ms")).longValue();
                long end = System.nanoTime() + ms * 1_000_000L;
                while (System.nanoTime() < end) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ignored) {
                        // keep holding
                    }
                }
                return Map.of("slept", ms);
            }
            case "unserialisable":
                return new Object();
            case "nan":
                return Map.of("x", Double.NaN);
            case "touch": // a side effect the suite can see: the handler ran
                Files.writeString(Path.of(String.valueOf(event.get("path"))), "touched");
                return Map.of("touched", event.get("path"));
            case "typed": // a bean, not a map: serialised by Jackson data binding
                return new Typed("ok", 2, 0.5, java.util.List.of("a", "b"), new Nested(true, null));
            default:
                return Map.of("unknown", action);
        }
    }

    /** A result type of the function's own. */
    public record Typed(String status, int count, double ratio, java.util.List<String> tags, Nested nested) {
    }

    /** Nested inside {@link Typed}; {@code none} stays null. */
    public record Nested(boolean flag, String none) {
    }

    /** Would write the marker: the runtime must never call it. */
    public static void main(String[] args) throws Exception {
        Files.writeString(Path.of(System.getenv("MARKER")), "the main method ran");
    }
}
