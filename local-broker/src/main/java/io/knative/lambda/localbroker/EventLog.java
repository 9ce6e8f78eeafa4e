package io.knative.lambda.localbroker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The most recent events seen on the bus, newest last, for {@code GET /events}: what happened, visible with curl. */
@ApplicationScoped
public class EventLog {

    @Inject
    BrokerConfig config;

    private final Deque<Event> events = new ArrayDeque<>();

    public synchronized void add(Event event) {
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
