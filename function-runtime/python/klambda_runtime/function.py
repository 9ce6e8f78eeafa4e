"""The user's function: which file in FUNCTION_DIR it is, and its handler, loaded as module klambda_function."""
import importlib.machinery
import os
import sys

from .errors import ConfigError


def find_function_file(function_dir, function_file=None):
    """The path of the user's source: FUNCTION_FILE, else the single .py file, else the single extension-less file."""
    if not os.path.isdir(function_dir):
        raise ConfigError("FUNCTION_DIR %s is not a folder" % function_dir)
    if function_file:
        path = os.path.join(function_dir, function_file)
        if not os.path.isfile(path):
            raise ConfigError("FUNCTION_FILE %s not found in %s" % (function_file, function_dir))
        return path
    files = sorted(f for f in os.listdir(function_dir)
                   if not f.startswith(".") and os.path.isfile(os.path.join(function_dir, f)))
    python_files = [f for f in files if f.endswith(".py")]
    bare_files = [f for f in files if "." not in f]
    if len(python_files) == 1:
        return os.path.join(function_dir, python_files[0])
    if not python_files and len(bare_files) == 1:
        return os.path.join(function_dir, bare_files[0])
    raise ConfigError("cannot tell which file in %s is the function (found %s); set FUNCTION_FILE"
                      % (function_dir, ", ".join(files) or "no files"))


def load_handler(path, handler_name, function_dir, deps_dir=None):
    """Imports the user's file as module 'klambda_function' (never '__main__') and returns (handler, wants_attributes).

    The function's folder comes first on sys.path, then FUNCTION_DEPS_DIR (its installed packages), then the rest."""
    sys.dont_write_bytecode = True
    if deps_dir:
        if not os.path.isdir(deps_dir):
            raise ConfigError("FUNCTION_DEPS_DIR %s is not a folder" % deps_dir)
        if deps_dir not in sys.path:
            sys.path.insert(0, deps_dir)
    if function_dir not in sys.path:
        sys.path.insert(0, function_dir)
    name = "klambda_function"
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = type(sys)(name)
    module.__file__ = path
    module.__loader__ = loader
    module.__spec__ = importlib.machinery.ModuleSpec(name, loader, origin=path)
    sys.modules[name] = module
    loader.exec_module(module)
    handler = getattr(module, handler_name, None)
    if handler is None or not callable(handler):
        raise ConfigError("%s has no callable %r" % (os.path.basename(path), handler_name))
    return handler, takes_two_arguments(handler)


def takes_two_arguments(fn):
    """Whether the handler takes the CloudEvent attributes as a second argument."""
    code = getattr(fn, "__code__", None)
    if code is not None and not hasattr(fn, "__self__"):
        return code.co_argcount >= 2 or bool(code.co_flags & 0x04)  # CO_VARARGS
    import inspect
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
