'use strict';

/** An answer other than 200: status, a stable error code, a message for a person, and whether to close the connection. */
class HttpError extends Error {
  constructor(status, code, message, close = false) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.close = close;
  }
}

/** The JSON error body every answer other than 200 carries: {"error": code, "message": text}. */
function errorBody(code, message) {
  return JSON.stringify({ error: code, message });
}

module.exports = { HttpError, errorBody };
