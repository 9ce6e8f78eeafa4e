package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Local mode's function sandbox: each function process runs in bubblewrap ({@code bwrap}, Debian's {@code bubblewrap})
 * with its own PID, IPC and UTS namespaces (it sees no other process, so no {@code /proc/<pid>/environ}), as uid/gid
 * 65534 of a user namespace where the kernel allows one, and a filesystem made of: {@code /usr} and the few {@code /etc}
 * files a runtime needs, read-only; the runtime and its interpreter, read-only; its own function directory, read-only;
 * a private {@code /tmp}, {@code /proc} and {@code /dev}. Nothing else of the host: not other functions' directories,
 * not local mode's {@code .run/} (logs, keys, tokens), not the operator's home. The network is the host's (functions
 * call external APIs). {@link #off()} runs functions as plain processes (KLAMBDA_LOCAL_SANDBOX=off, with a warning).
 */
public final class Sandbox {

    private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());
    /** The uid and gid functions run as inside the sandbox (nobody/nogroup). */
    static final String NOBODY = "65534";
    private static final List<String> ETC = List.of("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf",
            "/etc/gai.conf", "/etc/localtime", "/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/alternatives",
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/mime.types");
    private static final List<String> TOP_LEVEL = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

    private final String bwrap;
    private final boolean userNamespace;

    private Sandbox(String bwrap, boolean userNamespace) {
        this.bwrap = bwrap;
        this.userNamespace = userNamespace;
    }

    /** No sandbox: functions are plain host processes (still with an environment of their own only). */
    public static Sandbox off() {
        LOG.log(System.Logger.Level.WARNING, "KLAMBDA_LOCAL_SANDBOX=off: local functions run WITHOUT a sandbox; each can read"
                + " every file this user can (other functions' sources, .run/ logs and keys) and other processes' environments");
        return new Sandbox(null, false);
    }

    /**
     * The bubblewrap sandbox, checked by starting {@code /bin/true} in it (with a user namespace if the kernel allows).
     *
     * @throws SandboxUnavailableException when {@code bwrap} is missing or cannot create a sandbox here
     */
    public static Sandbox bubblewrap(String bwrap) throws SandboxUnavailableException {
        for (boolean userNs : List.of(true, false)) {
            Sandbox candidate = new Sandbox(bwrap, userNs);
            List<String> probe = new ArrayList<>(candidate.prefix(null, List.of()));
            probe.add("/bin/true");
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    LOG.log(System.Logger.Level.INFO, "local functions run in a bubblewrap sandbox" + (userNs ? " as uid " + NOBODY
                            : " (no user namespace here: same uid as the local cluster)"));
                    return candidate;
                }
                LOG.log(System.Logger.Level.DEBUG, "bwrap probe " + (userNs ? "with" : "without") + " a user namespace: " + out);
            } catch (IOException e) {
                throw new SandboxUnavailableException("cannot run " + bwrap + " (" + e.getMessage() + "): install bubblewrap"
                        + " (make tools, or apt-get install bubblewrap), or set KLAMBDA_LOCAL_SANDBOX=off to run functions"
                        + " unsandboxed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxUnavailableException("interrupted while checking bwrap", e);
            }
        }
        throw new SandboxUnavailableException(bwrap + " cannot create a sandbox on this machine: set KLAMBDA_LOCAL_SANDBOX=off"
                + " to run functions unsandboxed", null);
    }

    /** Whether functions run sandboxed. */
    public boolean enabled() {
        return bwrap != null;
    }

    /**
     * {@code command} as it runs in the sandbox: the bwrap prefix, then the command with its executable resolved to an
     * absolute path. Every absolute path among its arguments (an {@code @file} too) is visible read-only, a file's
     * directory with it (a runtime's package or libraries beside it); so is the interpreter's installation.
     */
    public List<String> wrap(List<String> command, Path functionDir) {
        return wrap(command, functionDir, List.of());
    }

    /** As {@link #wrap(List, Path)}, with {@code alsoReadOnly} (e.g. the function's dependency layer) visible read-only. */
    public List<String> wrap(List<String> command, Path functionDir, List<Path> alsoReadOnly) {
        if (!enabled()) {
            return command;
        }
        List<String> resolved = resolved(command);
        List<String> out = new ArrayList<>(prefix(functionDir, visible(resolved, alsoReadOnly)));
        out.addAll(resolved);
        return out;
    }

    /**
     * The sandbox {@link #wrap(List, Path, List)} would give {@code command}, as bwrap's options alone (neither bwrap nor
     * the command): what the sandboxed Python fork server builds around a function it forks ({@code klambda_sandbox.py}
     * reads exactly these options). Only with a user namespace ({@link #forkable()}).
     */
    List<String> options(List<String> command, Path functionDir, List<Path> alsoReadOnly) {
        if (!forkable()) {
            throw new IllegalStateException("a forked function's sandbox needs a user namespace");
        }
        List<String> prefix = prefix(functionDir, visible(resolved(command), alsoReadOnly));
        return List.copyOf(prefix.subList(1, prefix.size()));
    }

    /** Whether a forked process can build this sandbox itself: it is on, with a user namespace. */
    boolean forkable() {
        return enabled() && userNamespace;
    }

    private static List<String> resolved(List<String> command) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, executable(command.get(0)).toString());
        return resolved;
    }

    /** What the sandbox shows of the host besides its base: the interpreter's installation, the command's files. */
    private static List<Path> visible(List<String> resolved, List<Path> alsoReadOnly) {
        Set<Path> visible = new LinkedHashSet<>();
        visible.add(installation(Path.of(resolved.get(0))));
        alsoReadOnly.forEach(p -> visible.add(p.toAbsolutePath().normalize()));
        for (String arg : resolved.subList(1, resolved.size())) {
            String path = arg.startsWith("@") ? arg.substring(1) : arg;
            if (path.startsWith("/") && Files.exists(Path.of(path))) {
                Path p = Path.of(path).toAbsolutePath().normalize();
                visible.add(Files.isDirectory(p) ? p : p.getParent());
            }
        }
        return List.copyOf(visible);
    }

    private List<String> prefix(Path functionDir, List<Path> readOnly) {
        List<String> args = new ArrayList<>(List.of(bwrap, "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "function"));
        if (userNamespace) {
            args.addAll(List.of("--unshare-user", "--uid", NOBODY, "--gid", NOBODY));
        }
        args.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String top : TOP_LEVEL) {
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } catch (IOException e) {
                    // an unreadable link is left out
                }
            } else if (Files.isDirectory(p)) {
                args.addAll(List.of("--ro-bind", top, top));
            }
        }
        for (String etc : etc()) {
            args.addAll(List.of("--ro-bind-try", etc, etc));
        }
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        for (Path p : readOnly) {
            if (!p.startsWith("/usr")) {
                args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
        }
        if (functionDir != null) {
            String dir = functionDir.toAbsolutePath().normalize().toString();
            args.addAll(List.of("--ro-bind", dir, dir, "--chdir", dir));
        }
        return args;
    }

    /** The {@code /etc} entries bound: name resolution, certificates, time zone, and a JDK's {@code /etc/java-*}. */
    private static List<String> etc() {
        List<String> out = new ArrayList<>(ETC);
        try (var entries = Files.list(Path.of("/etc"))) {
            entries.map(Path::toString).filter(p -> p.startsWith("/etc/java-") || p.startsWith("/etc/python")).sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            // no /etc to list
        }
        return out;
    }

    /** The absolute, real path of {@code name}, looked up on this process's PATH when it has no slash. */
    static Path executable(String name) {
        if (name.contains("/")) {
            return real(Path.of(name).toAbsolutePath());
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return real(candidate.toAbsolutePath());
            }
        }
        return Path.of(name);
    }

    /** The installation of an executable: {@code <prefix>} of {@code <prefix>/bin/<name>}, else its directory. */
    private static Path installation(Path executable) {
        Path dir = executable.getParent() == null ? Path.of("/usr/bin") : executable.getParent();
        return dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null
                ? dir.getParent() : dir;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** bwrap is missing or cannot sandbox here, and KLAMBDA_LOCAL_SANDBOX is not {@code off}. */
    public static final class SandboxUnavailableException extends IOException {
        SandboxUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
