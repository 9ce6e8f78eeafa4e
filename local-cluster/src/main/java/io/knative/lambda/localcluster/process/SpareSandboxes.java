package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Local mode's warm start for sandboxed Python functions where the sandboxed fork server cannot build their sandbox
 * (no user namespace, an older kernel): one {@link SpareSandbox} kept ready, so that a function's start is loading its
 * handler, not starting bwrap and an interpreter and importing the runtime. Taking the spare starts the next one in the background. Spares live in
 * {@code workDir/.spare-<id>} (a name no revision can have); an earlier run's are deleted. One thread starts them all and
 * lives until {@link #close()}: bwrap's {@code --die-with-parent} follows the thread that started it.
 */
final class SpareSandboxes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SpareSandboxes.class.getName());
    static final String PREFIX = ".spare-";

    private final List<String> command;
    private final Sandbox sandbox;
    private final Path workDir;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "function-spare");
        t.setDaemon(true);
        return t;
    });
    private SpareSandbox spare;
    private boolean starting;
    private boolean closed;

    /** @param pythonCommand the Python runtime's command ({@code python3 -u .../klambda_local.py}) */
    SpareSandboxes(List<String> pythonCommand, Sandbox sandbox, Path workDir) {
        List<String> cmd = new ArrayList<>(pythonCommand);
        cmd.add("--spare");
        this.command = List.copyOf(cmd);
        this.sandbox = sandbox;
        this.workDir = workDir;
        try (var dirs = Files.isDirectory(workDir) ? Files.list(workDir) : java.util.stream.Stream.<Path>empty()) {
            dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX)).forEach(SpareSandbox::delete);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up earlier spares in " + workDir + ": " + e);
        }
        refill();
    }

    /**
     * The spare, if one is ready (its sandbox set up, the runtime imported); the next one starts meanwhile. Empty when
     * none is ready yet (the one starting stays for a later function), or the last one exited (replaced).
     */
    Optional<SpareSandbox> take() {
        SpareSandbox taken = null;
        SpareSandbox exited = null;
        synchronized (this) {
            if (spare != null && spare.ready()) {
                taken = spare;
                spare = null;
            } else if (spare != null && !spare.alive()) {
                exited = spare;
                spare = null;
            }
        }
        if (exited != null) {
            LOG.log(System.Logger.Level.WARNING, "a spare Python sandbox exited before it was used: "
                    + exited.output());
            exited.discard();
        }
        refill();
        return Optional.ofNullable(taken);
    }

    /** Whether a spare is ready. */
    synchronized boolean ready() {
        return spare != null && spare.ready();
    }

    private synchronized void refill() {
        if (closed || starting || spare != null) {
            return;
        }
        starting = true;
        starter.execute(() -> {
            SpareSandbox started = null;
            try {
                started = SpareSandbox.start(command, sandbox, workDir.resolve(PREFIX + UUID.randomUUID()));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot start a spare Python sandbox: " + e);
            }
            boolean unused;
            synchronized (this) {
                starting = false;
                unused = closed;
                if (!closed) {
                    spare = started;
                }
            }
            if (unused && started != null) {
                started.discard();
            }
        });
    }

    /** Stops the spare, if any, and the thread that started the spares (after the functions it started were stopped). */
    @Override
    public void close() {
        SpareSandbox left;
        synchronized (this) {
            closed = true;
            left = spare;
            spare = null;
        }
        if (left != null) {
            left.discard();
        }
        starter.shutdown();
        try {
            starter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
