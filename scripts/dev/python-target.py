"""Prints this interpreter's version and newest wheel platform tag: what the builder installs dependencies for in
local mode (KLAMBDA_PYTHON_VERSION, KLAMBDA_PYTHON_PLATFORM). Read by local-env.sh and the end-to-end tests."""
import platform
import sys

libc, version = platform.libc_ver()
machine = platform.machine()
if libc == "glibc" and version.count(".") >= 1:
    major, minor = version.split(".")[:2]
    tag = "manylinux_%s_%s_%s" % (major, minor, machine)
else:
    tag = "manylinux2014_%s" % machine
print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], tag))
