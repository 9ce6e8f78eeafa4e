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

/**
 * The attributes of a binary-mode event (ce-* headers, names lower case, values decoded), or null when none. Node joins a
 * repeated header with ", ": `distinct()` (the request's headersDistinct) tells a header sent twice, 400 InvalidEvent.
 */
function binaryAttributes(headers, distinct) {
  let attrs = null;
  for (const name in headers) {
    if (name.length > 3 && name.charCodeAt(0) === 99 && name.startsWith('ce-')) {
      const value = headers[name];
      if (distinct !== undefined && value.includes(', ') && distinct()[name].length > 1) {
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

/** The ce-* headers of a binary-mode response event, as a flat [name, value, ...] list. */
function responseHeaders(type, config) {
  return ['ce-specversion', '1.0', 'ce-id', uuid(), 'ce-source', config.source, 'ce-type', type,
    'ce-subject', config.functionId, 'ce-time', new Date().toISOString()];
}

/** A structured-mode response event around `payload` (JSON text). */
function structuredResponse(type, payload, config) {
  return `{"specversion":"1.0","id":"${uuid()}","source":${JSON.stringify(config.source)},"type":"${type}",`
    + `"subject":${JSON.stringify(config.functionId)},"time":"${new Date().toISOString()}",`
    + `"datacontenttype":"application/json","data":${payload}}`;
}

module.exports = {
  SUCCESS_TYPE, ERROR_TYPE, missing, validate, unquote, binaryAttributes, parseStructured, responseHeaders,
  structuredResponse,
};
