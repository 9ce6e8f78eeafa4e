"""Local mode's sandbox for forked functions: what bubblewrap does for an exec'd one, done by a forked child itself.

The sandboxed fork server (klambda_local.py --fork-server SOCKET --sandbox) forks each function with `clone()`: the
child starts in new user, mount, PID, IPC, UTS and cgroup namespaces, as PID 1 of its own PID namespace. It reads its
request, then `enter(parse(args), ...)` with the very bwrap arguments the local cluster would have run (its Sandbox
class writes them) builds the sandbox: the host's uid seen as 65534, no capabilities left, no new privileges; a root
that is a fresh tmpfs holding only what the arguments bind, read-only; its own /proc, /dev and /tmp. It forks the
function, which comes back from `enter` as PID 2, and stays as the sandbox's init, as bwrap's own: it reaps orphans,
passes signals on and exits as the function did. Killing it kills the sandbox. Two processes per function, where
bwrap has three: no monitor outside, whose every written page would have been one more copy of the server's.

Only the bwrap options the local cluster writes are understood; any other is refused (ValueError), and every failing
step raises OSError: a child that cannot build its sandbox never serves a function. Linux only, >= 5.12
(mount_setattr), with unprivileged user namespaces.
"""
import ctypes
import os
import signal

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x08000000, 0x10000000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_BIND, MS_REC, MS_SILENT, MS_PRIVATE = 4096, 16384, 32768, 1 << 18
MNT_DETACH = 2
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 0x1, 0x2, 0x4
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
NAMESPACES = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
# syscall numbers: pivot_root and mount_setattr (no glibc wrapper), clone (glibc's wants a new stack)
_SYSCALLS = {"x86_64": (155, 442, 56), "aarch64": (41, 442, 220)}

BASE = "/tmp"  # where the new root is assembled, in this child's own mount namespace (as bwrap does)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus")
_FLAGS = {"--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
          "--unshare-cgroup-try", "--unshare-user"}
_ONE = {"--hostname", "--uid", "--gid", "--proc", "--dev", "--tmpfs", "--chdir"}
_TWO = {"--ro-bind", "--ro-bind-try", "--symlink"}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_libc.syscall.restype = ctypes.c_long


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))
    return result


def parse(args):
    """The sandbox `args` (bwrap's options, as the local cluster writes them) describe: a dict of uid, gid, hostname,
    chdir and the filesystem steps in order. ValueError for an option this module does not implement."""
    spec = {"uid": None, "gid": None, "hostname": "function", "chdir": None, "steps": [], "user": False}
    i = 0
    while i < len(args):
        opt = args[i]
        if opt in _FLAGS:
            spec["user"] = spec["user"] or opt == "--unshare-user"
            i += 1
        elif opt in _ONE and i + 1 < len(args):
            value = args[i + 1]
            if opt in ("--uid", "--gid"):
                spec[opt[2:]] = int(value)
            elif opt in ("--hostname", "--chdir"):
                spec[opt[2:]] = value
            else:
                spec["steps"].append((opt, None, _absolute(value)))
            i += 2
        elif opt in _TWO and i + 2 < len(args):
            target = args[i + 1] if opt == "--symlink" else _absolute(args[i + 1])
            spec["steps"].append((opt, target, _absolute(args[i + 2])))
            i += 3
        elif opt in _ONE or opt in _TWO:
            raise ValueError("%s needs %d value(s)" % (opt, 1 if opt in _ONE else 2))
        else:
            raise ValueError("the sandbox does not implement %r" % opt)
    if not spec["user"] or spec["uid"] is None or spec["gid"] is None:
        raise ValueError("the sandbox needs --unshare-user with --uid and --gid")
    return spec


def _absolute(path):
    if not path.startswith("/") or "\0" in path:
        raise ValueError("not an absolute path: %r" % path)
    return os.path.normpath(path)


def clone():
    """os.fork(), but the child starts in new namespaces (NAMESPACES), as PID 1 of its own PID namespace: 0 in the
    child, its PID in the parent. OSError where the kernel refuses (no unprivileged user namespaces, say)."""
    number = _syscall(2)
    ctypes.pythonapi.PyOS_BeforeFork()  # what os.fork() does around fork(): locks, at-fork hooks, the GIL
    pid = _libc.syscall(number, ctypes.c_ulong(NAMESPACES | signal.SIGCHLD), ctypes.c_ulong(0), ctypes.c_ulong(0),
                        ctypes.c_ulong(0), ctypes.c_ulong(0))
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
        return 0
    ctypes.pythonapi.PyOS_AfterFork_Parent()
    return _check(pid, "clone")  # ctypes' errno of the clone: the calls since do not touch it


def enter(spec, outside, report):
    """In a child of `clone()`: builds the sandbox `spec` (from `parse`) describes, the function's uid and gid mapped
    to `outside` (the server's), and returns in it as the function, PID 2. The calling process stays as the sandbox's
    init and never returns from here: once the function runs it calls `report(pid)` with its own PID as seen outside,
    then reaps and passes signals on until the function exits (`_init`). OSError or ValueError when the sandbox cannot
    be built, before any function runs."""
    pid = int(os.readlink("/proc/self"))  # the host's /proc, still mounted: the PID outside
    os.setsid()
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", "%d %d 1" % (spec["uid"], outside[0]))
    _write("/proc/self/gid_map", "%d %d 1" % (spec["gid"], outside[1]))
    _build_root(spec)
    _drop_privileges()
    function = os.fork()
    if function == 0:
        return
    # before its PID is out: a PID 1 takes from outside only the signals it handles, and SIGTERM must reach the function
    _pass_on((signal.SIGTERM, signal.SIGINT, signal.SIGHUP), function)
    try:
        report(pid)
    except BaseException:  # noqa: B036 - the caller gone: the function still runs, and is waited for
        pass
    _init(function)


def _init(function):
    """PID 1 of the sandbox, as bwrap's own, once it passes SIGTERM, SIGINT and SIGHUP on to the function (PID 2):
    reaps every process orphaned inside, and exits with the function's status (the kernel then ends what is left)."""
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == function:
            _exit_as(status)


def _pass_on(signals, pid):
    for signum in signals:
        signal.signal(signum, lambda s, frame: os.kill(pid, s))


def _exit_as(status):
    """Exits as the process whose wait `status` this is did (killed by a signal: 128 + the signal)."""
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def _build_root(spec):
    _mount(None, "/", None, MS_SILENT | MS_REC | MS_PRIVATE)
    _mount("tmpfs", BASE, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755")
    os.chdir(BASE)
    os.mkdir("newroot", 0o755)
    _mount("newroot", "newroot", None, MS_SILENT | MS_BIND | MS_REC)
    os.mkdir("oldroot", 0o755)
    _pivot_root(BASE, "oldroot")
    os.chdir("/")
    for opt, source, dest in spec["steps"]:
        _step(opt, source, dest)
    _check(_libc.umount2(b"/oldroot", MNT_DETACH), "umount /oldroot")
    os.chdir("/newroot")
    _pivot_root(".", ".")
    _check(_libc.umount2(b".", MNT_DETACH), "umount the old root")
    os.chdir("/")
    _read_only("/", recursive=False)  # the root itself (its /tmp and /dev stay writable)
    name = spec["hostname"].encode()
    _check(_libc.sethostname(name, len(name)), "sethostname")
    if spec["chdir"]:
        os.chdir(spec["chdir"])


def _step(opt, source, dest):
    new = "/newroot" + dest
    if opt in ("--ro-bind", "--ro-bind-try"):
        old = "/oldroot" + source
        if not os.path.exists(old):
            if opt == "--ro-bind-try":
                return
            raise FileNotFoundError("--ro-bind: no %s" % source)
        _mount_point(new, os.path.isdir(old))
        _mount(old, new, None, MS_SILENT | MS_BIND | MS_REC)
        _read_only(new)
    elif opt == "--symlink":
        os.makedirs(os.path.dirname(new), 0o755, exist_ok=True)
        os.symlink(source, new)
    elif opt == "--tmpfs":
        _mount_point(new, True)
        _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    elif opt == "--proc":
        _mount_point(new, True)
        _mount("proc", new, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        for sub in PROC_READ_ONLY:
            path = os.path.join(new, sub)
            if os.path.exists(path):
                _mount(path, path, None, MS_SILENT | MS_BIND | MS_REC)
                _read_only(path)
    elif opt == "--dev":
        _mount_point(new, True)
        _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755")
        for device in DEVICES:
            _mount_point(os.path.join(new, device), False)
            _mount("/oldroot/dev/" + device, os.path.join(new, device), None, MS_SILENT | MS_BIND)
        for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")):
            os.symlink(target, os.path.join(new, link))
        os.mkdir(os.path.join(new, "shm"))
        os.chmod(os.path.join(new, "shm"), 0o1777)  # POSIX shared memory (multiprocessing), as in a container
        os.mkdir(os.path.join(new, "pts"), 0o755)
        try:  # a terminal of its own, where the kernel allows it (not needed to serve)
            _mount("devpts", os.path.join(new, "pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620")
        except OSError:
            pass


def _mount_point(path, directory):
    if directory:
        os.makedirs(path, 0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o444))


def _mount(source, target, fstype, flags, data=None):
    enc = (lambda s: None if s is None else s.encode())
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), "mount %s on %s" % (source, target))


def _read_only(path, recursive=True):
    """Makes `path` (and every mount below it, when `recursive`) read-only, nosuid and nodev, keeping what the kernel
    locked."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0)
    _check(_libc.syscall(_syscall(1), ctypes.c_int(AT_FDCWD), path.encode(), ctypes.c_uint(AT_RECURSIVE if recursive else 0),
                         ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))), "mount_setattr(read-only) " + path)


def _pivot_root(new_root, put_old):
    _check(_libc.syscall(_syscall(0), new_root.encode(), put_old.encode()), "pivot_root " + new_root)


def _syscall(which):
    numbers = _SYSCALLS.get(os.uname().machine)
    if numbers is None:
        raise OSError("the sandbox knows no syscall numbers for " + os.uname().machine)
    return numbers[which]


def _drop_privileges():
    """No capability left (bounding, ambient, effective, permitted, inheritable) and no new privileges through exec."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for cap in range(last + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl(CAPBSET_DROP %d)" % cap)
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(CAP_AMBIENT_CLEAR_ALL)")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
