"""The runtime's settings, read from FUNCTION_* environment variables (README: Environment)."""
from .errors import ConfigError


def env_int(env, name, default, minimum=1):
    """The integer setting `name`, `default` when unset or blank; ConfigError when not an integer or below `minimum`."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError("%s must be an integer, got %r" % (name, raw))
    if value < minimum:
        raise ConfigError("%s must be at least %d, got %d" % (name, minimum, value))
    return value


class Config:
    """The runtime's settings, read from the environment (see README: Environment)."""

    def __init__(self, env):
        self.function_dir = env.get("FUNCTION_DIR") or "/function"
        self.function_file = env.get("FUNCTION_FILE") or None
        self.deps_dir = env.get("FUNCTION_DEPS_DIR") or None
        self.handler_name = env.get("FUNCTION_HANDLER") or "handler"
        self.function_id = env.get("FUNCTION_ID") or "function"
        self.host = env.get("HOST") or "0.0.0.0"
        self.port = env_int(env, "PORT", 8080, minimum=0)
        self.timeout_ms = env_int(env, "FUNCTION_TIMEOUT_MS", 30000)
        self.max_body_bytes = env_int(env, "FUNCTION_MAX_BODY_BYTES", 6 * 1024 * 1024)
        self.concurrency = env_int(env, "FUNCTION_CONCURRENCY", 16)
        self.drain_ms = env_int(env, "FUNCTION_DRAIN_TIMEOUT_MS", self.timeout_ms + 5000)
        self.idle_ms = env_int(env, "FUNCTION_IDLE_TIMEOUT_MS", 600000)
        self.max_connections = env_int(env, "FUNCTION_MAX_CONNECTIONS", 1024)
        self.execution = (env.get("FUNCTION_EXECUTION") or "worker").strip().lower()
        if self.execution not in ("worker", "event-loop"):
            raise ConfigError("FUNCTION_EXECUTION must be worker or event-loop, got %r" % self.execution[:40])
        if any(c in self.function_id for c in "\r\n\"\\"):
            raise ConfigError("FUNCTION_ID contains characters that cannot appear in a header")
        self.source = "/knative-lambda/functions/" + self.function_id
