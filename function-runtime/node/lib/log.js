'use strict';
// JSON lines to stdout, written in batches: the lines of the next 50 ms (at most 256) go out in one write (a write per
// request would cost throughput). No timer runs while nothing is logged. Payloads are never logged.
const fs = require('fs');

const INTERVAL_MS = 50;
const MAX_LINES = 256;
let pending = ''; // the queued lines, joined as they come (cheaper than an array joined at the write)
let queued = 0;
let timer = null;
let second = -1;
let secondText = '';

/** The time as RFC 3339 with milliseconds in UTC (what Date#toISOString writes), its seconds formatted once a second. */
function timestamp() {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== second) {
    second = s;
    secondText = new Date(s * 1000).toISOString().slice(0, 19);
  }
  const ms = now - s * 1000;
  return secondText + (ms < 10 ? '.00' : ms < 100 ? '.0' : '.') + ms + 'Z';
}

function queue(line) {
  pending += line;
  if (++queued >= MAX_LINES) {
    flush(); // under load: a write per MAX_LINES lines, before they live long enough to be promoted in the heap
  } else if (timer === null) {
    timer = setTimeout(flush, INTERVAL_MS);
  }
}

/** Writes every queued line now (synchronously: also right before the process exits). */
function flush() {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  if (queued === 0) {
    return;
  }
  const text = pending;
  pending = '';
  queued = 0;
  let written = writeSome(text);
  if (written === text.length || written < 0) {
    return;
  }
  // a partial write (a full pipe), or text that is not ASCII: go on in bytes
  const data = Buffer.from(text, 'utf8');
  while (written < data.length) {
    const n = writeSome(data.subarray(written));
    if (n < 0) {
      return;
    }
    if (n === 0) { // stdout is full (its reader stalls): wait for it, without spinning a core
      Atomics.wait(PAUSE, 0, 0, 1);
    }
    written += n;
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4)); // Atomics.wait on it sleeps the thread for its timeout

/** Bytes written to stdout (0 when it would block), or -1 when stdout is gone. */
function writeSome(data) {
  try {
    return fs.writeSync(1, data);
  } catch (e) {
    return e.code === 'EAGAIN' ? 0 : -1;
  }
}

/** Queues one line; `ts` is added last. `now` writes it at once (ready, stopped, cannot load). */
function log(record, now = false) {
  record.ts = timestamp();
  queue(JSON.stringify(record) + '\n');
  if (now) {
    flush();
  }
}

/** Milliseconds with up to three decimals, from whole microseconds: what String(micros / 1000) writes, without a double. */
function millis(micros) {
  const ms = Math.floor(micros / 1000);
  let fraction = micros - ms * 1000;
  if (fraction === 0) {
    return '' + ms;
  }
  let digits = 3;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  const pad = fraction < 10 ? digits - 1 : fraction < 100 ? digits - 2 : 0;
  return ms + (pad === 2 ? '.00' : pad === 1 ? '.0' : '.') + fraction;
}

/**
 * The logger of invocation lines for function `functionId`, written by hand (a line is logged for every request, so
 * its constant head is joined once per mode here): the fields and order of
 * {level, msg, function, mode, eventId, eventType, status, durationMs, coldStart[, error], ts}. eventId and eventType
 * are whatever the event carried (null without one); the duration is given in whole microseconds.
 */
function invocationLogger(functionId) {
  const head = '{"level":"info","msg":"invocation","function":' + JSON.stringify(functionId) + ',"mode":"';
  const plain = head + 'plain","eventId":';
  const binary = head + 'binary","eventId":';
  const structured = head + 'structured","eventId":';
  return (mode, eventId, eventType, status, micros, coldStart, error) => {
    let line = mode === 'plain' ? plain : mode === 'binary' ? binary : structured;
    if (eventId === null && eventType === null) {
      line += 'null,"eventType":null,"status":';
    } else {
      line += (eventId === null ? 'null' : JSON.stringify(eventId)) + ',"eventType":'
        + (eventType === null ? 'null' : JSON.stringify(eventType)) + ',"status":';
    }
    queue(line + status + ',"durationMs":' + millis(micros) + (coldStart ? ',"coldStart":true' : ',"coldStart":false')
      + (error === null ? ',"ts":"' : ',"error":"' + error + '","ts":"') + timestamp() + '"}\n');
  };
}

/** A thrown value as the log's `exception` and `trace` fields (a trace is never part of an answer). */
function describe(error) {
  if (error instanceof Error) {
    const type = (error.constructor && error.constructor.name) || error.name;
    return { exception: type, trace: String(error.stack || error) };
  }
  return { exception: typeof error, trace: String(error) };
}

module.exports = { log, invocationLogger, millis, flush, describe };
