#!/usr/bin/env python3
"""Runs a command with a coarser timer slack: `timer-slack.py MICROSECONDS COMMAND [ARGS...]`.

Local mode starts the registry (a Go program) this way. Go's scheduler keeps a monitor thread that sleeps 20 us at a
time while the program is busy with system calls, as a registry is; on a virtual machine each of those wake-ups is
costly (~15 % of the registry's CPU in a profile here). A timer slack of 1 ms lets the kernel stretch those sleeps,
which cuts the registry's CPU per build by about a quarter (BENCHMARKS.md, "Builder: where the time goes"). Requests
are not timed waits, so they are answered as before. The slack is kept across exec and inherited by every thread
the command starts (prctl(2), PR_SET_TIMERSLACK).
"""
import ctypes
import os
import sys

PR_SET_TIMERSLACK = 29

if len(sys.argv) < 3 or not sys.argv[1].isdigit():
    sys.exit("usage: timer-slack.py MICROSECONDS COMMAND [ARGS...]")
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_TIMERSLACK, int(sys.argv[1]) * 1000, 0, 0, 0) != 0:
    print(f"timer-slack.py: prctl failed ({os.strerror(ctypes.get_errno())}); running with the default slack",
          file=sys.stderr)
os.execvp(sys.argv[2], sys.argv[2:])
