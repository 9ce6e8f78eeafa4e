package io.knative.lambda.localcluster.store;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The store kept on disk so that the local cluster survives a restart, even a SIGKILL: a snapshot of every object
 * (Services, Revisions with their status, Triggers) and the resourceVersion counter, written atomically (a temporary
 * file renamed over the last one), and a journal beside it ({@code <file>.journal}) to which each change is appended
 * as one JSON line at most {@link #DELAY_MS} after it. A change costs the size of one object, not of the whole store;
 * after {@link #COMPACT_AFTER} lines, at start and at {@link #close()} the snapshot is written again and the journal
 * starts empty. {@link #load} reads the snapshot, then the journal's changes newer than it.
 */
public final class StateFile implements AutoCloseable {

    /** The longest a change waits before it is on disk. */
    static final long DELAY_MS = 100;
    /** Journal lines after which the snapshot is written again and the journal emptied. */
    static final int COMPACT_AFTER = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(StateFile.class.getName());

    private final ObjectStore store;
    private final Path file;
    private final Path journal;
    private final ConcurrentLinkedQueue<WatchEvent> pending = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "state-file");
        t.setDaemon(true);
        return t;
    });
    private final ObjectStore.Subscription subscription;
    private Writer out;
    private int journalLines;

    private StateFile(ObjectStore store, Path file) {
        this.store = store;
        this.file = file;
        this.journal = journalOf(file);
        this.subscription = store.subscribe(store.resourceVersion(), pending::add); // under the store's lock: hand on
    }

    /**
     * Loads {@code file} and its journal (when they exist) into {@code store}, then keeps them up to date with the
     * store's changes.
     *
     * @throws IOException when the snapshot exists but cannot be read as the store's state, or cannot be written
     */
    public static StateFile open(ObjectStore store, Path file) throws IOException {
        if (Files.exists(file) || Files.exists(journalOf(file))) {
            load(store, file);
        }
        StateFile state = new StateFile(store, file);
        state.compact(); // the reloaded objects have new resourceVersions: start from a snapshot of them
        state.writer.scheduleWithFixedDelay(state::flushQuietly, DELAY_MS, DELAY_MS, TimeUnit.MILLISECONDS);
        return state;
    }

    /** The journal of the snapshot {@code file}. */
    static Path journalOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    private static void load(ObjectStore store, Path file) throws IOException {
        Map<String, Object[]> objects = new LinkedHashMap<>(); // type/namespace/name -> {type, object}
        long snapshotVersion = 0;
        if (Files.exists(file)) {
            JsonNode state = JSON.readTree(file.toFile());
            snapshotVersion = state.path("resourceVersion").asLong(0);
            for (ResourceType type : ResourceType.ALL) {
                for (JsonNode o : state.path(type.plural())) {
                    objects.put(key(type, o), new Object[] { type, o });
                }
            }
        }
        long version = snapshotVersion;
        int replayed = 0;
        for (JsonNode change : journalLines(journalOf(file))) {
            long at = change.path("rv").asLong(0);
            ResourceType type = byPlural(change.path("resource").asText());
            if (at <= snapshotVersion || type == null || !(change.get("object") instanceof ObjectNode o)) {
                continue; // already in the snapshot (written after these lines), or not a change
            }
            if ("DELETED".equals(change.path("type").asText())) {
                objects.remove(key(type, o));
            } else {
                objects.put(key(type, o), new Object[] { type, o });
            }
            version = Math.max(version, at);
            replayed++;
        }
        // on from the versions clients saw before the restart: the reloaded objects get newer ones
        store.resumeAt(version);
        for (ResourceType type : ResourceType.ALL) {
            for (Object[] entry : objects.values()) {
                if (entry[0] == type) {
                    ObjectNode o = (ObjectNode) entry[1];
                    store.restore(type, o.path("metadata").path("namespace").asText(), o);
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "reloaded " + objects.size() + " object(s) from " + file + " and "
                + replayed + " change(s) from its journal (resourceVersion " + store.resourceVersion() + ")");
    }

    /**
     * The journal's complete lines. A line cut short (by a kill, or a write that failed halfway: its change is written
     * again whole on the next line, as it was never taken off the queue) is left out, and the lines after it are read.
     */
    private static List<JsonNode> journalLines(Path journal) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(journal)) {
            return out;
        }
        int cut = 0;
        for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (JsonProcessingException e) {
                cut++;
            }
        }
        if (cut > 0) {
            LOG.log(System.Logger.Level.WARNING, "the journal " + journal + " holds " + cut + " line(s) cut short, left"
                    + " out; the other changes are reloaded");
        }
        return out;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the local cluster's state to " + journal + ": " + e);
        }
    }

    /** Appends the changes not yet on disk to the journal; writes the snapshot again when the journal is long. */
    private void flush() throws IOException {
        WatchEvent e = pending.peek();
        if (e == null) {
            return;
        }
        while ((e = pending.peek()) != null) {
            ObjectNode line = JSON.createObjectNode();
            line.put("rv", e.resourceVersion());
            line.put("type", e.type());
            line.put("resource", e.resource().plural());
            line.set("object", e.object()); // never modified after the change (WatchEvent): read, not copied
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
            pending.poll();
            journalLines++;
        }
        out.flush();
        if (journalLines >= COMPACT_AFTER) {
            compact();
        }
    }

    /** Writes the whole store as the snapshot, then empties the journal: its lines are all in the snapshot. */
    private void compact() throws IOException {
        ObjectNode state = JSON.createObjectNode();
        synchronized (store) { // no change can be added to `pending` meanwhile: every one so far is in the snapshot
            state.put("resourceVersion", store.resourceVersion());
            for (ResourceType type : ResourceType.ALL) {
                ArrayNode items = state.putArray(type.plural());
                store.list(type, null, o -> true).items().forEach(items::add);
            }
            pending.clear();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), state);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        // killed before this: the lines left are skipped at load, the snapshot is newer than each of them
        if (out != null) {
            out.close();
        }
        Files.write(journal, new byte[0]); // emptied, then appended to: every line goes after the last one on disk
        out = Files.newBufferedWriter(journal, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        journalLines = 0;
    }

    private static String key(ResourceType type, JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return type.plural() + "/" + metadata.path("namespace").asText() + "/" + metadata.path("name").asText();
    }

    private static ResourceType byPlural(String plural) {
        return ResourceType.ALL.stream().filter(t -> t.plural().equals(plural)).findFirst().orElse(null);
    }

    /** Writes the last changes and stops watching the store. */
    @Override
    public void close() {
        try {
            subscription.close();
        } catch (RuntimeException ignored) {
            // an in-memory listener
        }
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
            compact();
            out.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the local cluster's state to " + file + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
