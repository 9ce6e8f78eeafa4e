package io.knative.lambda.localcluster.store;

import static io.knative.lambda.localcluster.store.ObjectStoreTest.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the local cluster kept is there after a restart, a kill included, however it was written to disk. */
class StateFileTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("state.json");
    }

    /** A second store opened on the same file: what a restarted local cluster sees. */
    private ObjectStore reopened() throws IOException {
        ObjectStore again = new ObjectStore(Clock.systemUTC());
        StateFile.open(again, file()).close();
        return again;
    }

    private static List<String> names(ObjectStore store) {
        return store.list(ResourceType.SERVICES, null, o -> true).items().stream()
                .map(o -> o.path("metadata").path("namespace").asText() + "/" + o.path("metadata").path("name").asText())
                .toList();
    }

    private long journalLines() throws IOException {
        Path journal = StateFile.journalOf(file());
        return Files.exists(journal) ? Files.readAllLines(journal).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    @Test
    void changesAreOnDiskWithinTheDelayWithoutAClose() throws IOException {
        ObjectStore store = new ObjectStore(Clock.systemUTC());
        StateFile.open(store, file()); // never closed: as after a SIGKILL
        store.create(ResourceType.SERVICES, "ns", service("a", "img-a"));
        ObjectNode b = store.create(ResourceType.SERVICES, "ns", service("b", "img-b"));
        store.delete(ResourceType.SERVICES, "ns", "a");
        ObjectNode status = b.deepCopy();
        status.putObject("status").put("url", "http://b.ns.local");
        store.updateStatus(ResourceType.SERVICES, "ns", "b", status);

        await().atMost(Duration.ofSeconds(5)).until(() -> journalLines() == 4);
        ObjectStore again = reopened();

        assertThat(names(again)).containsExactly("ns/b");
        ObjectNode kept = again.get(ResourceType.SERVICES, "ns", "b").orElseThrow();
        assertThat(kept.path("status").path("url").asText()).isEqualTo("http://b.ns.local");
        assertThat(kept.path("metadata").path("uid").asText()).isEqualTo(b.path("metadata").path("uid").asText());
        assertThat(again.resourceVersion()).as("versions go on from those clients saw").isGreaterThan(4);
    }

    @Test
    void aLongJournalIsFoldedIntoTheSnapshotAndNothingIsLost() throws IOException {
        ObjectStore store = new ObjectStore(Clock.systemUTC());
        StateFile.open(store, file());
        for (int i = 0; i < StateFile.COMPACT_AFTER + 10; i++) {
            store.create(ResourceType.SERVICES, "ns", service("fn-" + i, "img"));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long onDisk = Files.exists(file()) ? Files.readString(file()).split("\"name\":\"fn-").length - 1 : 0;
            return onDisk + journalLines() >= StateFile.COMPACT_AFTER + 10 && journalLines() < StateFile.COMPACT_AFTER;
        });

        assertThat(names(reopened())).hasSize(StateFile.COMPACT_AFTER + 10).contains("ns/fn-0", "ns/fn-2009");
    }

    @Test
    void journalLinesOlderThanTheSnapshotAreNotReplayed() throws IOException {
        ObjectStore store = new ObjectStore(Clock.systemUTC());
        StateFile state = StateFile.open(store, file());
        store.create(ResourceType.SERVICES, "ns", service("gone", "img"));
        await().atMost(Duration.ofSeconds(5)).until(() -> journalLines() == 1);
        String staleLines = Files.readString(StateFile.journalOf(file()));
        store.delete(ResourceType.SERVICES, "ns", "gone");
        state.close(); // the snapshot now says: no Service

        // killed after the snapshot's rename, before the journal was emptied: its old lines are still there
        Files.writeString(StateFile.journalOf(file()), staleLines, StandardCharsets.UTF_8);

        assertThat(names(reopened())).isEmpty();
    }

    @Test
    void aLastLineCutShortByAKillIsLeftOutAndTheChangesBeforeItAreKept() throws IOException {
        journaledThenCut("kept", "{\"rv\":99,\"type\":\"ADDED\",\"resource\":\"services\",\"obj");

        assertThat(names(reopened())).containsExactly("ns/kept");
    }

    @Test
    void aLineCutShortInTheMiddleIsLeftOutAndTheChangesAfterItAreKept() throws IOException {
        // a write that failed halfway: the change is written again whole after it
        ObjectStore store = journaledThenCut("before", "{\"rv\":2,\"type\":\"ADDED\",\"resou\n");
        store.create(ResourceType.SERVICES, "ns", service("after", "img"));
        await().atMost(Duration.ofSeconds(5)).until(() -> journalLines() == 3);

        assertThat(names(reopened())).containsExactly("ns/after", "ns/before");
    }

    /** A journaled store holding one Service, in the journal, then {@code cut} appended as a write cut short leaves it. */
    private ObjectStore journaledThenCut(String service, String cut) throws IOException {
        ObjectStore store = new ObjectStore(Clock.systemUTC());
        StateFile.open(store, file());
        store.create(ResourceType.SERVICES, "ns", service(service, "img"));
        await().atMost(Duration.ofSeconds(5)).until(() -> journalLines() == 1);
        Files.writeString(StateFile.journalOf(file()), cut, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return store;
    }

    @Test
    void aSnapshotWrittenBeforeTheJournalExistedStillLoads() throws IOException {
        ObjectNode old = service("old", "img");
        old.with("metadata").put("namespace", "ns");
        Files.writeString(file(), "{\"resourceVersion\":7,\"services\":[" + old + "],\"revisions\":[],\"triggers\":[]}");

        ObjectStore again = reopened();

        assertThat(names(again)).containsExactly("ns/old");
        assertThat(again.resourceVersion()).isGreaterThan(7);
    }
}
