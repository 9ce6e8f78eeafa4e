package io.knative.lambda.localbroker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The most recent events seen on the bus, newest last, for {@code GET /events}: what happened, visible with curl.
 * Bounded in count ({@code klambda.recent-events}) and in bytes: data over {@value #MAX_DATA_BYTES} bytes is
 * not kept, the entry says its size in {@value #DATA_SIZE} instead (a thousand 1 MiB events would hold 1 GB).
 */
@ApplicationScoped
public class EventLog {

    /** The largest event data kept in the log. */
    static final int MAX_DATA_BYTES = 64 * 1024;
    /** The extension attribute, on a logged entry only, with the size of data that was not kept. */
    static final String DATA_SIZE = "knativelambdadatasize";

    @Inject
    BrokerConfig config;

    private final Deque<Event> events = new ArrayDeque<>();

    public synchronized void add(Event event) {
        if (event.data().length > MAX_DATA_BYTES) {
            Map<String, String> attributes = new LinkedHashMap<>(event.attributes());
            attributes.put(DATA_SIZE, String.valueOf(event.data().length));
            event = new Event(attributes, event.contentType(), new byte[0]);
        }
        events.addLast(event);
        while (events.size() > config.recentEvents()) {
            events.removeFirst();
        }
    }

    /** Events whose type starts with {@code typePrefix} and whose subject is {@code subject} (nulls match all). */
    public synchronized List<Event> find(String typePrefix, String subject, int limit) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if ((typePrefix == null || (e.type() != null && e.type().startsWith(typePrefix)))
                    && (subject == null || subject.equals(e.subject()))) {
                out.add(e);
            }
        }
        return out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
    }
}
