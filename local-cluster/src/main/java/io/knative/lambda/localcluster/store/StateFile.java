package io.knative.lambda.localcluster.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The store kept on disk so that the local cluster survives a restart, even a SIGKILL: every object (Services,
 * Revisions with their status, Triggers) and the resourceVersion counter, written atomically (a temporary file
 * renamed over the last one) at most {@link #DELAY_MS} after a change, and once more at {@link #close()};
 * {@link #load} puts them back at start.
 */
public final class StateFile implements AutoCloseable {

    /** The longest a change waits before it is on disk. */
    static final long DELAY_MS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(StateFile.class.getName());

    private final ObjectStore store;
    private final Path file;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "state-file");
        t.setDaemon(true);
        return t;
    });
    private final ObjectStore.Subscription subscription;

    private StateFile(ObjectStore store, Path file) {
        this.store = store;
        this.file = file;
        this.subscription = store.subscribe(store.resourceVersion(), e -> dirty.set(true));
        writer.scheduleWithFixedDelay(this::flushIfDirty, DELAY_MS, DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads {@code file} (when it exists) into {@code store}, then keeps it up to date with the store's changes.
     *
     * @throws IOException when the file exists but cannot be read as the store's state
     */
    public static StateFile open(ObjectStore store, Path file) throws IOException {
        if (Files.exists(file)) {
            load(store, file);
        }
        return new StateFile(store, file);
    }

    private static void load(ObjectStore store, Path file) throws IOException {
        JsonNode state = JSON.readTree(file.toFile());
        // on from the versions clients saw before the restart: the reloaded objects get newer ones
        store.resumeAt(state.path("resourceVersion").asLong(0));
        int n = 0;
        for (ResourceType type : ResourceType.ALL) {
            for (JsonNode o : state.path(type.plural())) {
                store.restore(type, o.path("metadata").path("namespace").asText(), (ObjectNode) o);
                n++;
            }
        }
        LOG.log(System.Logger.Level.INFO, "reloaded " + n + " object(s) from " + file + " (resourceVersion "
                + store.resourceVersion() + ")");
    }

    private void flushIfDirty() {
        if (dirty.getAndSet(false)) {
            try {
                write();
            } catch (IOException | RuntimeException e) {
                dirty.set(true);
                LOG.log(System.Logger.Level.WARNING, "cannot write the local cluster's state to " + file + ": " + e);
            }
        }
    }

    private void write() throws IOException {
        ObjectNode state = JSON.createObjectNode();
        synchronized (store) {
            state.put("resourceVersion", store.resourceVersion());
            for (ResourceType type : ResourceType.ALL) {
                ArrayNode items = state.putArray(type.plural());
                store.list(type, null, o -> true).items().forEach(items::add);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), state);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
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
            write();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the local cluster's state to " + file + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
