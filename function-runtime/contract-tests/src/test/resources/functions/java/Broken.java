/** Compiles, but its handler has the wrong shape. */
public class Broken {
    public Object process(String event) {
        return event;
    }
}
