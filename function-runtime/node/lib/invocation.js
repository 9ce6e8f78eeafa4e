'use strict';
// One POST /: read the body (bounded), read the event from it (request.js), wait for a concurrency slot, call the
// handler (a returned Promise is awaited, until the request's deadline), answer in the request's mode, count it, log it.
const { HttpError, errorBody } = require('./errors');
const clock = require('./clock');
const { toJson } = require('./json');
const { readEvent } = require('./request');
const ce = require('./cloudevents');
const { log, describe } = require('./log');
const { kReceiving, kPending, afterAnswers } = require('./sockets');

const JSON_TYPE = 'application/json';
const CE_JSON_TYPE = 'application/cloudevents+json';
const EMPTY = Buffer.alloc(0);
const kInvocation = Symbol('klambda.invocation');

// the body's listeners, shared by every request (no closures per request): `this` is the request
function onData(chunk) {
  this[kInvocation].chunk(chunk);
}

function onEnd() {
  this[kInvocation].ended();
}

/** Bad input as a JavaScript function reports it: a RangeError (Python: ValueError, Java: IllegalArgumentException). */
function isInvalidInput(error) {
  return error instanceof RangeError && !error.message.startsWith('Maximum call stack size exceeded');
}

/** The state of one POST / from arrival to answer, and until its handler settles (which may come after a 504). */
class Invocation {
  constructor(rt, req, res) {
    this.rt = rt;
    this.req = req;
    this.res = res;
    this.socket = req.socket;
    this.t0 = clock.now();
    this.deadline = this.t0 + rt.config.timeoutMs;
    this.mode = 'plain';
    this.attrs = null;
    this.answered = false;
    this.running = false; // a handler call that has not settled yet
    this.timer = null;
    this.body = null;
    this.size = 0;
    this.done = false; // answered and settled: counted out of the runtime's in-flight requests
  }

  /** Starts reading the body, or answers at once when the request cannot be served. */
  start() {
    const rt = this.rt;
    rt.active++;
    this.socket[kPending]++;
    if (!rt.ready) {
      this.fail(new HttpError(503, 'NotReady', 'the function is still loading', true));
      return;
    }
    const length = this.req.headers['content-length'];
    if (length !== undefined && Number(length) > rt.config.maxBodyBytes) {
      this.fail(this.tooLarge(`the body has ${length} bytes`));
      this.req.resume();
      return;
    }
    if (length === '0') {
      this.received(EMPTY);
      return;
    }
    this.socket[kReceiving] = this; // a connection that closes meanwhile calls brokeOff (sockets.js)
    this.req[kInvocation] = this;
    this.req.on('data', onData);
    this.req.on('end', onEnd);
  }

  tooLarge(what) {
    const limit = this.rt.config.maxBodyBytes;
    return new HttpError(413, 'PayloadTooLarge', `${what}; the limit is ${limit} bytes (FUNCTION_MAX_BODY_BYTES)`, true);
  }

  chunk(chunk) {
    if (this.answered) {
      return; // the rest of a body answered 413: read and dropped
    }
    this.size += chunk.length;
    if (this.size > this.rt.config.maxBodyBytes) {
      this.body = null;
      this.fail(this.tooLarge('the body is over the limit'));
    } else if (this.body === null) {
      this.body = chunk;
    } else if (Buffer.isBuffer(this.body)) {
      this.body = [this.body, chunk];
    } else {
      this.body.push(chunk);
    }
  }

  ended() {
    this.socket[kReceiving] = null;
    if (!this.answered) {
      const body = this.body;
      this.received(body === null ? EMPTY : Buffer.isBuffer(body) ? body : Buffer.concat(body, this.size));
    }
  }

  /** The connection closed before the body was complete: counted (the answer goes nowhere). */
  brokeOff() {
    this.socket[kReceiving] = null;
    this.fail(new HttpError(400, 'BadRequest', 'the request broke off before its body was complete', true));
  }

  /** Node's parser refused the rest of this request (a bad chunk, a timeout): answered, and the connection closes. */
  protocolError(status, code, message) {
    this.fail(new HttpError(status, code, message, true));
  }

  received(body) {
    this.body = null;
    let data;
    try {
      data = readEvent(this, this.req, body);
    } catch (e) {
      this.fail(e instanceof HttpError ? e : this.runtimeFailure(e));
      return;
    }
    const slots = this.rt.slots;
    if (slots.tryAcquire()) {
      this.run(data);
    } else {
      slots.wait(this.deadline, () => this.run(data), () => this.fail(new HttpError(503, 'Overloaded',
        `all ${this.rt.config.concurrency} invocation slots stayed busy for ${this.rt.config.timeoutMs} ms`)));
    }
  }

  /** Calls the handler in its slot. A Promise is awaited until the deadline (then 504, the slot held until it settles). */
  run(data) {
    if (this.answered) { // e.g. the connection broke while it waited
      this.rt.slots.release();
      return;
    }
    this.running = true;
    const attributes = this.attrs === null ? {} : Object.assign({}, this.attrs);
    const handler = this.rt.handler; // called as a plain function: `this` is not the runtime's
    let result;
    try {
      result = handler(data, attributes);
    } catch (e) {
      this.settled();
      this.handlerFailed(e);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      this.timer = setTimeout(() => this.timedOut(), Math.max(0, this.deadline - clock.now()));
      Promise.resolve(result).then((value) => {
        this.settled();
        this.succeed(value);
      }, (e) => {
        this.settled();
        this.handlerFailed(e);
      });
      return;
    }
    this.settled();
    this.succeed(result, true);
  }

  settled() {
    this.running = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.rt.slots.release();
    this.finish();
  }

  timedOut() {
    this.timer = null;
    this.fail(new HttpError(504, 'Timeout',
      `the function ran longer than ${this.rt.config.timeoutMs} ms (FUNCTION_TIMEOUT_MS)`, true));
  }

  handlerFailed(error) {
    if (isInvalidInput(error)) {
      this.fail(new HttpError(400, 'InvalidInput', error.message || 'invalid input'));
      return;
    }
    const { exception, trace } = describe(error);
    log({
      level: 'error', msg: 'function raised', function: this.rt.config.functionId, eventId: this.eventId(), exception, trace,
    });
    this.fail(new HttpError(500, 'FunctionError', 'the function threw ' + exception));
  }

  /**
   * Answers 200 with the result. `sync`: the handler returned it without a Promise, so no timer watched the deadline; a
   * handler that blocked the event loop past it is answered 504 now (one clock reading serves that check and the
   * answer's duration).
   */
  succeed(result, sync = false) {
    if (this.answered) {
      return; // answered 504 already
    }
    let payload;
    try {
      payload = toJson(result); // throws NotJson only
    } catch (e) {
      if (sync && clock.now() >= this.deadline) {
        this.timedOut();
        return;
      }
      log({ level: 'error', msg: 'result not JSON', function: this.rt.config.functionId, exception: e.message.slice(0, 500) });
      this.fail(new HttpError(500, 'FunctionError', e.message.slice(0, 300)));
      return;
    }
    const now = clock.now();
    if (sync && now >= this.deadline) {
      this.timedOut();
      return;
    }
    const config = this.rt.config;
    if (this.mode === 'binary') {
      this.send(200, JSON_TYPE, payload, ce.responseHeaders(ce.SUCCESS_TYPE, config, this.attrs), null, false, now);
    } else if (this.mode === 'structured') {
      this.send(200, CE_JSON_TYPE, ce.structuredResponse(ce.SUCCESS_TYPE, payload, config, this.attrs), null, null, false,
        now);
    } else {
      this.send(200, JSON_TYPE, payload, null, null, false, now);
    }
  }

  runtimeFailure(error) {
    log({ level: 'error', msg: 'runtime failure', function: this.rt.config.functionId, ...describe(error) });
    return new HttpError(500, 'RuntimeError', 'the runtime failed; see its log');
  }

  /** A valid CloudEvent gets an error CloudEvent in its mode; anything else plain JSON {error, message}. */
  fail(error) {
    if (this.answered) {
      return;
    }
    const payload = errorBody(error.code, error.message);
    const validEvent = this.attrs !== null && ce.missing(this.attrs).length === 0;
    const config = this.rt.config;
    if (validEvent && this.mode === 'binary') {
      this.send(error.status, JSON_TYPE, payload, ce.responseHeaders(ce.ERROR_TYPE, config, this.attrs), error.code, error.close);
    } else if (validEvent && this.mode === 'structured') {
      this.send(error.status, CE_JSON_TYPE, ce.structuredResponse(ce.ERROR_TYPE, payload, config, this.attrs), null, error.code,
        error.close);
    } else {
      this.send(error.status, JSON_TYPE, payload, null, error.code, error.close);
    }
  }

  /**
   * Writes the one answer (in order after the answers before it on the connection), then counts and logs it; `now` is
   * the clock time (clock.js) the answer is timed at.
   */
  send(status, contentType, body, ceHeaders, code, close, now = clock.now()) {
    this.answered = true;
    const seconds = (now - this.t0) / 1000;
    const socket = this.socket;
    const headers = ['Content-Type', contentType, 'Content-Length', Buffer.byteLength(body)];
    if (ceHeaders !== null) {
      headers.push(...ceHeaders);
    }
    if (close || this.rt.draining) {
      headers.push('Connection', 'close');
    }
    try {
      this.res.writeHead(status, headers);
      this.res.end(body);
    } catch (e) {
      // the connection is gone: nothing to answer
    }
    socket[kPending]--;
    afterAnswers(socket);
    this.record(seconds, status, code);
    this.finish();
  }

  record(seconds, status, code) {
    const rt = this.rt;
    const cold = rt.metrics.record(seconds, code);
    const type = this.attrs === null || this.attrs.type === undefined ? null : this.attrs.type;
    rt.logInvocation(this.mode, this.eventId(), type, status, Math.round(seconds * 1e6), cold, code);
  }

  eventId() {
    return this.attrs === null || this.attrs.id === undefined ? null : this.attrs.id;
  }

  /** Done once answered and its handler (if any) settled: it no longer counts as in flight. */
  finish() {
    if (this.answered && !this.running && !this.done) {
      this.done = true;
      this.rt.finished();
    }
  }
}

module.exports = { Invocation };
