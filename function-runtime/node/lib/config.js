'use strict';
// The runtime's settings, read from the environment: the same variables and defaults as the Python and Java
// runtimes (function-runtime/README.md, "Environment").

/** A setting of the runtime or the function folder is unusable. */
class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

function envInt(env, name, fallback, minimum = 1) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  const value = Number(text);
  if (value < minimum || value > 2147483647) {
    throw new ConfigError(`${name} must be between ${minimum} and 2147483647, got ${value}`);
  }
  return value;
}

/** The settings of one runtime process (README: Environment). */
class Config {
  constructor(env) {
    this.functionDir = env.FUNCTION_DIR || '/function';
    this.functionFile = env.FUNCTION_FILE || null;
    this.handlerName = env.FUNCTION_HANDLER || 'handler';
    this.functionId = env.FUNCTION_ID || 'function';
    this.host = env.HOST || '0.0.0.0';
    this.port = envInt(env, 'PORT', 8080, 0);
    this.timeoutMs = envInt(env, 'FUNCTION_TIMEOUT_MS', 30000);
    this.maxBodyBytes = envInt(env, 'FUNCTION_MAX_BODY_BYTES', 6 * 1024 * 1024);
    this.concurrency = envInt(env, 'FUNCTION_CONCURRENCY', 16);
    this.drainMs = envInt(env, 'FUNCTION_DRAIN_TIMEOUT_MS', this.timeoutMs + 5000);
    this.idleMs = envInt(env, 'FUNCTION_IDLE_TIMEOUT_MS', 600000);
    this.maxConnections = envInt(env, 'FUNCTION_MAX_CONNECTIONS', 1024);
    // Node runs every handler on its one event loop, whichever mode is asked for (README); the value is still checked
    // so that a typo fails here as it does in the other runtimes
    const execution = (env.FUNCTION_EXECUTION || 'worker').trim().toLowerCase();
    if (execution !== 'worker' && execution !== 'event-loop') {
      throw new ConfigError(`FUNCTION_EXECUTION must be worker or event-loop, got ${JSON.stringify(execution.slice(0, 40))}`);
    }
    if (/[\r\n"\\]/.test(this.functionId)) {
      throw new ConfigError('FUNCTION_ID contains characters that cannot appear in a header');
    }
    this.source = '/knative-lambda/functions/' + this.functionId;
  }
}

module.exports = { Config, ConfigError };
