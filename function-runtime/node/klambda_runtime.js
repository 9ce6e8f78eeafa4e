#!/usr/bin/env node
'use strict';
/**
 * Knative Lambda Node.js function runtime.
 *
 * Serves one user function over HTTP: binary and structured CloudEvents and plain JSON on POST /, health on
 * /health/live and /health/ready, Prometheus metrics on /metrics. Node's own http module, no dependencies, Node 20+.
 * The contract is in function-runtime/README.md; lib/ holds one concern per file.
 */
const path = require('path');
const { Config, ConfigError } = require('./lib/config');
const { log, flush, describe, invocationLogger } = require('./lib/log');
const { Metrics } = require('./lib/metrics');
const { Slots } = require('./lib/slots');
const { createServer } = require('./lib/server');
const { findFunctionFile, loadHandler } = require('./lib/loader');

const SIGNALS = { SIGTERM: 15, SIGINT: 2 }; // their numbers in the draining line, as the other runtimes log them

/** The loaded function, its limits, and the bookkeeping every connection shares. */
class Runtime {
  constructor(config) {
    this.config = config;
    this.logInvocation = invocationLogger(config.functionId); // the line every invocation writes
    this.metrics = new Metrics(config.functionId, () => this.active);
    this.slots = new Slots(config.concurrency);
    this.handler = null;
    this.ready = false;
    this.draining = false;
    this.active = 0; // invocations not yet answered, or whose handler has not settled yet
    this.onIdle = null;
  }

  /** An invocation is answered and its handler settled. */
  finished() {
    this.active--;
    if (this.active === 0 && this.onIdle !== null) {
      this.onIdle();
    }
  }
}

function exit(code) {
  flush();
  process.exit(code);
}

/** Listens, loads the function, serves until SIGTERM/SIGINT, then drains in-flight requests and exits. */
function serve(config) {
  const rt = new Runtime(config);
  const server = createServer(rt);
  let serverClosed = false;

  function stopped() {
    log({ level: rt.active === 0 ? 'info' : 'warn', msg: 'stopped', function: config.functionId,
      drained: rt.active === 0, inFlight: rt.active }, true);
    exit(0);
  }

  function stop(signal) {
    if (rt.draining) {
      return;
    }
    rt.draining = true;
    log({ level: 'info', msg: 'draining', function: config.functionId, signal: SIGNALS[signal], inFlight: rt.active });
    // no new connections; idle ones close now, busy ones after their answer (which says Connection: close)
    server.close(() => {
      serverClosed = true;
      if (rt.active === 0) {
        stopped();
      }
    });
    rt.onIdle = () => {
      if (serverClosed) {
        stopped();
      }
    };
    setTimeout(stopped, config.drainMs);
  }

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // a function's stray error (a timer callback that throws, a Promise nobody awaits) is logged; the process serves on
  process.on('uncaughtException', (error) => {
    log({ level: 'error', msg: 'uncaught exception', function: config.functionId, ...describe(error) });
  });
  process.on('unhandledRejection', (reason) => {
    log({ level: 'error', msg: 'unhandled rejection', function: config.functionId, ...describe(reason) });
  });
  server.on('error', (error) => {
    log({ level: 'error', msg: 'cannot listen', function: config.functionId, host: config.host, port: config.port,
      message: error.message }, true);
    exit(1);
  });

  // listening while the function loads: POST / answers 503 NotReady, /health/ready 503, until it is loaded
  server.listen(config.port, config.host, async () => {
    let file = null;
    try {
      file = findFunctionFile(config.functionDir, config.functionFile);
      rt.handler = await loadHandler(file, config.handlerName);
    } catch (error) {
      log({ level: 'error', msg: 'cannot load the function', function: config.functionId, file,
        ...describe(error), message: String(error && error.message).slice(0, 1000) }, true);
      exit(1);
      return;
    }
    const coldStart = process.uptime(); // seconds since the process started
    rt.metrics.coldStartSeconds = coldStart;
    rt.ready = true;
    log({ level: 'info', msg: 'ready', function: config.functionId, runtime: 'node', node: process.version,
      file: path.basename(file), port: server.address().port, execution: 'event-loop',
      coldStartMs: Math.round(coldStart * 10000) / 10 }, true);
  });
}

function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    log({ level: 'error', msg: 'invalid configuration', message: `the runtime needs Node.js 20 or later, not ${process.version}` }, true);
    process.exitCode = 2;
    return;
  }
  let config;
  try {
    config = new Config(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    log({ level: 'error', msg: 'invalid configuration', message: error.message }, true);
    process.exitCode = 2;
    return;
  }
  serve(config);
}

main();
