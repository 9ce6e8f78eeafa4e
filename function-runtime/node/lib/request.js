'use strict';
// The event in a POST /: its shape (binary or structured CloudEvent, or plain JSON), attributes and data.
const { HttpError } = require('./errors');
const { parseJson } = require('./json');
const ce = require('./cloudevents');

const JSON_TYPE = 'application/json';

function kind(value) {
  if (Array.isArray(value)) {
    return 'an array';
  }
  return value === null ? 'null' : { string: 'a string', boolean: 'a boolean' }[typeof value] || 'a number';
}

function blank(buf) {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      return false;
    }
  }
  return true;
}

/**
 * The event data (a JSON object) of a request with these headers and body. Sets `target.mode` (binary, structured or
 * plain) and `target.attrs` (the CloudEvent attributes, as soon as they are known: an error answer needs them).
 * Throws HttpError 400 InvalidJson / InvalidEvent. `req` is the request (its headers), `body` its body.
 */
function readEvent(target, req, body) {
  const contentType = req.headers['content-type'];
  const lower = contentType === undefined || contentType === JSON_TYPE ? '' : contentType.toLowerCase();
  let data;
  if (lower.startsWith('application/cloudevents-batch')) {
    throw new HttpError(400, 'InvalidEvent', 'batched CloudEvents are not supported');
  } else if (lower.startsWith('application/cloudevents')) {
    target.mode = 'structured';
    data = ce.parseStructured(body, (attrs) => { target.attrs = attrs; }).data;
  } else {
    const attrs = ce.binaryAttributes(req);
    if (attrs !== null) {
      target.mode = 'binary';
      target.attrs = attrs;
      ce.validate(attrs);
      data = blank(body) ? {} : parseJson(body);
    } else {
      data = parseJson(body);
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new HttpError(400, 'InvalidEvent', 'the event data must be a JSON object, got ' + kind(data));
  }
  return data;
}

module.exports = { readEvent };
