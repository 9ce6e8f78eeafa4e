'use strict';
// JSON in and out, strict as the other runtimes are: standard JSON only (JSON.parse), UTF-8 only, at most MAX_DEPTH
// levels of nesting (Jackson's default in the Java runtime), and a result that JSON can represent exactly.
const { isUtf8 } = require('buffer');
const { HttpError } = require('./errors');

const MAX_DEPTH = 1000;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const REPLACEMENT = '\uFFFD';

/**
 * True when the document nests deeper than MAX_DEPTH. JSON.parse itself copes with any depth, but the value would
 * overflow the stack of whatever recurses over it next (JSON.stringify of a result, the handler), so deep input is
 * refused up front. A document needs 2 bytes per level, so short bodies are never scanned.
 */
function tooDeep(buf) {
  if (buf.length <= 2 * MAX_DEPTH) {
    return false;
  }
  let depth = 0;
  for (let i = 0, n = buf.length; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      for (i++; i < n && buf[i] !== QUOTE; i++) {
        if (buf[i] === BACKSLASH) {
          i++;
        }
      }
    } else if (c === 0x5b || c === 0x7b) { // [ {
      if (++depth > MAX_DEPTH) {
        return true;
      }
    } else if (c === 0x5d || c === 0x7d) { // ] }
      depth--;
    }
  }
  return false;
}

function invalid(message) {
  return new HttpError(400, 'InvalidJson', 'the body is not valid JSON: ' + message.slice(0, 200));
}

/** Parses a request body (a Buffer) as JSON, or throws HttpError 400 InvalidJson. */
function parseJson(buf) {
  if (tooDeep(buf)) {
    throw invalid(`nested deeper than ${MAX_DEPTH} levels`);
  }
  const text = buf.toString('utf8');
  // decoding replaces every malformed sequence with U+FFFD: only a text that has one can come from bytes that are not
  // UTF-8 (or from a U+FFFD sent as such), so the bytes are checked only then
  if (text.includes(REPLACEMENT) && !isUtf8(buf)) {
    throw invalid('not UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(e.message);
  }
}

/** A result JSON cannot hold, named in the 500 answer (the message the caller reads) and the log. */
class NotJson extends Error {
  constructor(detail) {
    super('the function returned a value that is not JSON-serialisable: ' + detail);
    this.name = 'NotJson';
  }
}

function describeValue(value) {
  if (typeof value === 'bigint') {
    return `the BigInt ${value}n`;
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  if (typeof value === 'symbol') {
    return 'a symbol';
  }
  return String(value);
}

/**
 * Where the value holds a number JSON cannot represent (NaN, ±Infinity), which JSON.stringify would silently write as
 * null: "NaN at /x/2" (a JSON Pointer, as the other runtimes say it), or null. Walks the value as JSON.stringify does
 * (toJSON, own enumerable keys).
 */
function findNonFinite(value, path, depth) {
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
    value = value.toJSON();
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : (path ? `${value} at ${path}` : String(value));
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) {
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonFinite(value[i], `${path}/${i}`, depth + 1);
      if (found) {
        return found;
      }
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const found = findNonFinite(value[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
    if (found) {
      return found;
    }
  }
  return null;
}

/**
 * The handler's result as JSON text. `undefined` (a handler that returns nothing) is null, as Python's None is;
 * a function, symbol, BigInt, cycle, or a non-finite number anywhere in it throws NotJson naming it.
 */
function toJson(result) {
  if (result === undefined) {
    return 'null';
  }
  let text;
  try {
    text = JSON.stringify(result);
  } catch (e) {
    throw new NotJson(e instanceof RangeError ? 'nested too deeply' : String((e && e.message) || e));
  }
  if (text === undefined) {
    throw new NotJson(describeValue(result));
  }
  // NaN and Infinity come out as null: look for them only when the text has a null at all
  if (text.includes('null')) {
    let found;
    try {
      found = findNonFinite(result, '', 0);
    } catch (e) { // a getter or toJSON that throws the second time round
      throw new NotJson(String(e && e.message));
    }
    if (found) {
      throw new NotJson(found);
    }
  }
  return text;
}

module.exports = { parseJson, toJson, NotJson, MAX_DEPTH };
