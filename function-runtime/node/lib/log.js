'use strict';
// JSON lines to stdout, written in batches: the lines of the next 50 ms (at most 256) go out in one write (a write per
// request would cost throughput). No timer runs while nothing is logged. Payloads are never logged.
const fs = require('fs');

const INTERVAL_MS = 50;
const MAX_LINES = 256;
let lines = [];
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
  lines.push(line);
  if (lines.length >= MAX_LINES) {
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
  if (lines.length === 0) {
    return;
  }
  const text = lines.join('');
  lines = [];
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
    written += n;
  }
}

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

/**
 * The line of one invocation, written by hand (it is logged for every request): the fields and order of
 * {level, msg, function, mode, eventId, eventType, status, durationMs, coldStart[, error], ts}. `functionJson` is the
 * function id as JSON; eventId and eventType are whatever the event carried (null without one).
 */
function logInvocation(functionJson, mode, eventId, eventType, status, durationMs, coldStart, error) {
  queue('{"level":"info","msg":"invocation","function":' + functionJson + ',"mode":"' + mode
    + '","eventId":' + (eventId === null ? 'null' : JSON.stringify(eventId))
    + ',"eventType":' + (eventType === null ? 'null' : JSON.stringify(eventType))
    + ',"status":' + status + ',"durationMs":' + durationMs + ',"coldStart":' + coldStart
    + (error === null ? '' : ',"error":"' + error + '"') + ',"ts":"' + timestamp() + '"}\n');
}

/** A thrown value as the log's `exception` and `trace` fields (a trace is never part of an answer). */
function describe(error) {
  if (error instanceof Error) {
    const type = (error.constructor && error.constructor.name) || error.name;
    return { exception: type, trace: String(error.stack || error) };
  }
  return { exception: typeof error, trace: String(error) };
}

module.exports = { log, logInvocation, flush, describe };
