'use strict';
// CloudEvents over HTTP (binary and structured mode): the request's attributes and data, and the response events
// (io.knative.lambda.response.success / .error) in the request's mode.
const { HttpError } = require('./errors');
const { parseJson } = require('./json');

const SUCCESS_TYPE = 'io.knative.lambda.response.success';
const ERROR_TYPE = 'io.knative.lambda.response.error';
const REQUIRED = ['id', 'source', 'specversion', 'type'];

let randomUUID = null; // node:crypto is loaded on the first event answered, not at start

function uuid() {
  if (randomUUID === null) {
    randomUUID = require('crypto').randomUUID;
  }
  return randomUUID();
}

/** The required attributes that are missing or not non-empty strings. */
function missing(attrs) {
  return REQUIRED.filter((a) => typeof attrs[a] !== 'string' || attrs[a] === '');
}

/** Throws 400 InvalidEvent for a missing required attribute or a specversion other than 1.0. */
function validate(attrs) {
  const absent = missing(attrs);
  if (absent.length > 0) {
    throw new HttpError(400, 'InvalidEvent', 'the CloudEvent lacks the required attribute(s): ' + absent.join(', '));
  }
  if (attrs.specversion !== '1.0') {
    throw new HttpError(400, 'InvalidEvent',
      `unsupported CloudEvents specversion ${JSON.stringify(attrs.specversion.slice(0, 20))} (want 1.0)`);
  }
}

function hex(c) {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Percent-decodes a ce-* header value as UTF-8 (CloudEvents HTTP binding); a malformed escape stays as it is. */
function unquote(value) {
  try {
    return decodeURIComponent(value);
  } catch (e) {
    const bytes = [];
    const raw = Buffer.from(value, 'latin1');
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === 37 && i + 2 < raw.length && hex(raw[i + 1]) && hex(raw[i + 2])) {
        bytes.push(parseInt(String.fromCharCode(raw[i + 1], raw[i + 2]), 16));
        i += 2;
      } else {
        bytes.push(raw[i]);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** True when one of the header names (Node's rawHeaders: name, value, ...) starts with ce-, in any case. */
function hasCeHeader(raw) {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // (c | 32) lower-cases an ASCII letter: 99 c, 101 e; 45 -
    if (name.length > 3 && name.charCodeAt(2) === 45 && (name.charCodeAt(0) | 32) === 99
        && (name.charCodeAt(1) | 32) === 101) {
      return true;
    }
  }
  return false;
}

/**
 * The attributes of a binary-mode event (ce-* headers, names lower case, values decoded) of request `req`, or null when
 * it has none (told from its raw header names first: most requests have none). Node joins a repeated header with ", ":
 * the request's headersDistinct tells a header sent twice, 400 InvalidEvent.
 */
function binaryAttributes(req) {
  if (!hasCeHeader(req.rawHeaders)) {
    return null;
  }
  const headers = req.headers;
  let attrs = null;
  for (const name in headers) {
    if (name.length > 3 && name.charCodeAt(0) === 99 && name.startsWith('ce-')) {
      const value = headers[name];
      if (value.includes(', ') && req.headersDistinct[name].length > 1) {
        throw new HttpError(400, 'InvalidEvent', `the header ${name} appears more than once`);
      }
      if (attrs === null) {
        attrs = {};
      }
      attrs[name.slice(3)] = value.includes('%') ? unquote(value) : value;
    }
  }
  if (attrs !== null && headers['content-type'] !== undefined) {
    attrs.datacontenttype = headers['content-type'];
  }
  return attrs;
}

/**
 * A structured-mode event's data and attributes (everything but data / data_base64). Throws InvalidJson or
 * InvalidEvent; `onAttributes` receives the attributes as soon as they are known (an error answer needs them).
 */
function parseStructured(body, onAttributes) {
  const envelope = parseJson(body);
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    throw new HttpError(400, 'InvalidEvent', 'a structured CloudEvent must be a JSON object');
  }
  const attrs = {};
  for (const key of Object.keys(envelope)) {
    if (key !== 'data' && key !== 'data_base64') {
      attrs[key] = envelope[key];
    }
  }
  onAttributes(attrs);
  validate(attrs);
  let data;
  if (Object.prototype.hasOwnProperty.call(envelope, 'data_base64')) {
    const encoded = envelope.data_base64;
    if (typeof encoded !== 'string') {
      throw new HttpError(400, 'InvalidJson', 'data_base64 is not base64-encoded JSON');
    }
    data = parseJson(Buffer.from(encoded, 'base64'));
  } else {
    data = envelope.data;
    if (data === undefined || data === null) {
      data = {};
    } else if (typeof data === 'string') {
      data = parseJson(Buffer.from(data, 'utf8'));
    }
  }
  return { data, attrs };
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The request event's W3C trace context (distributed-tracing extension) when it is well formed, else null. */
function traceparent(attrs) {
  const value = attrs ? attrs.traceparent : undefined;
  return typeof value === 'string' && TRACEPARENT.test(value) ? value : null;
}

/** The ce-* headers of a binary-mode response event, as a flat [name, value, ...] list, in the request's trace. */
function responseHeaders(type, config, attrs) {
  const headers = ['ce-specversion', '1.0', 'ce-id', uuid(), 'ce-source', config.source, 'ce-type', type,
    'ce-subject', config.functionId, 'ce-time', new Date().toISOString()];
  const trace = traceparent(attrs);
  if (trace !== null) {
    headers.push('ce-traceparent', trace);
  }
  return headers;
}

/** A structured-mode response event around `payload` (JSON text), in the request's trace. */
function structuredResponse(type, payload, config, attrs) {
  const trace = traceparent(attrs);
  return `{"specversion":"1.0","id":"${uuid()}","source":${JSON.stringify(config.source)},"type":"${type}",`
    + `"subject":${JSON.stringify(config.functionId)},"time":"${new Date().toISOString()}",`
    + (trace === null ? '' : `"traceparent":"${trace}",`)
    + `"datacontenttype":"application/json","data":${payload}}`;
}

module.exports = {
  SUCCESS_TYPE, ERROR_TYPE, missing, validate, unquote, binaryAttributes, parseStructured, responseHeaders,
  structuredResponse,
};
