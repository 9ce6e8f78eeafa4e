"""Entry point: `python3 -u path/to/klambda_runtime` (a folder run as a script) or `python3 -u -m klambda_runtime`."""
import os
import sys

if not __package__:
    # Run as a folder: its own path is sys.path[0]. Put the folder that holds the package there instead, so that
    # the package imports as klambda_runtime and none of its modules can shadow a module of the function.
    _here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == _here:
        sys.path[0] = os.path.dirname(_here)
    else:
        sys.path.insert(0, os.path.dirname(_here))

from klambda_runtime.app import main  # noqa: E402 - after the path is set

sys.exit(main())
