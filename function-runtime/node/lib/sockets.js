'use strict';
// The connection side of the HTTP surface: answers for requests Node's parser refuses (clientError), in order after
// the answers still owed on the connection, and closing a connection without losing its last answer.
const { errorBody } = require('./errors');

const kReceiving = Symbol('klambda.receiving'); // the invocation whose body is being read
const kPending = Symbol('klambda.pending'); // invocations on the connection not answered yet
const kBroken = Symbol('klambda.broken'); // the parser failed: further parse errors are ignored
const kProtocolError = Symbol('klambda.protocolError'); // a raw answer owed once the answers before it are out
const kLinger = Symbol('klambda.linger');
const kLastRes = Symbol('klambda.lastResponse'); // the answer to the latest request: answers go out in request order
const kFresh = Symbol('klambda.fresh'); // no request yet: the idle timeout runs from the connection's start

const LINGER_MS = 2000;
const DRAIN_EXTRA_BYTES = 8 * 1024 * 1024;
const REASONS = {
  400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large',
  431: 'Request Header Fields Too Large', 503: 'Service Unavailable',
};
const MESSAGES = {
  HPE_INVALID_CONTENT_LENGTH: 'invalid Content-Length',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length together with Transfer-Encoding, or twice',
  HPE_INVALID_CHUNK_SIZE: 'invalid chunk size',
  HPE_INVALID_METHOD: 'malformed request line',
  HPE_INVALID_URL: 'malformed request line',
  HPE_INVALID_VERSION: 'malformed request line',
  HPE_INVALID_CONSTANT: 'malformed request line',
  HPE_INVALID_HEADER_TOKEN: 'malformed header line',
  HPE_INVALID_TRANSFER_ENCODING: 'invalid Transfer-Encoding',
};

let drainBound = DRAIN_EXTRA_BYTES;
let idleMs = 0;
let maxConnections = Infinity;
let overloaded = '';
let open = 0; // connections served now

/**
 * Sets the most a closing connection reads and drops (the body limit plus 8 MiB, as the other runtimes), the idle
 * timeout of a connection that has not sent a request yet (after one, Node's keepAliveTimeout counts from each answer)
 * and how many connections are served at once (FUNCTION_MAX_CONNECTIONS).
 */
function configure(maxBodyBytes, idleTimeoutMs, maxConnectionsAtOnce) {
  drainBound = maxBodyBytes + DRAIN_EXTRA_BYTES;
  idleMs = idleTimeoutMs;
  maxConnections = maxConnectionsAtOnce;
  overloaded = rawAnswer(503, 'Overloaded', `too many connections open at once (${maxConnections}, FUNCTION_MAX_CONNECTIONS)`);
}

/**
 * A connection past FUNCTION_MAX_CONNECTIONS: answered 503 and closed once the answer is out. The HTTP parser's
 * listeners go first (a 'data' listener of our own takes the socket from it), so no request on it reaches a handler;
 * what the client sends meanwhile is read and dropped, so the close is no reset that could lose the answer.
 */
function refuse(socket) {
  socket.removeAllListeners('data');
  socket.removeAllListeners('end');
  socket.on('data', () => {});
  socket.on('error', () => socket.destroy());
  socket.end(overloaded, () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** Called for every new connection. */
function prepare(socket) {
  if (open >= maxConnections) {
    refuse(socket);
    return;
  }
  open++;
  socket.once('close', () => { open--; });
  socket[kReceiving] = null;
  socket[kPending] = 0;
  socket[kBroken] = false;
  socket[kProtocolError] = null;
  socket[kLinger] = false;
  socket[kLastRes] = null;
  socket[kFresh] = true;
  socket.setTimeout(idleMs); // Node destroys a socket whose timeout fires with nobody else listening
  socket.on('close', onClose);
  // Node calls destroySoon after an answer with Connection: close; closing with request bytes unread (say, the rest of
  // a body answered 413) would reset the connection, and the client could lose the answer
  socket.destroySoon = lingerClose;
}

/** A connection that closes while a request's body is being read: that invocation broke off. */
function onClose() {
  const receiving = this[kReceiving];
  if (receiving !== null) {
    receiving.brokeOff();
  }
}

/**
 * Half-closes after the last answer, then reads and drops what the client still sends until it closes too, for at most
 * 2 s and the body limit plus 8 MiB.
 */
function lingerClose() {
  const socket = this;
  if (socket[kLinger] || socket.destroyed) {
    return;
  }
  socket[kLinger] = true;
  if (socket.writable) {
    socket.end();
  }
  if (socket.readableEnded) { // the client has closed its side already: close once the answer is out
    if (socket.writableFinished) {
      socket.destroy();
    } else {
      socket.once('finish', () => socket.destroy());
    }
    return;
  }
  // the HTTP parser's listeners go: no more requests are read on this connection
  socket.removeAllListeners('data');
  socket.removeAllListeners('end');
  let dropped = 0;
  socket.on('data', (chunk) => {
    dropped += chunk.length;
    if (dropped > drainBound) {
      socket.destroy();
    }
  });
  socket.on('end', () => socket.destroy());
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}

/** A whole HTTP answer with a JSON error body, for a connection no ServerResponse can answer on. */
function rawAnswer(status, code, message) {
  const body = errorBody(code, message);
  return `HTTP/1.1 ${status} ${REASONS[status] || 'Error'}\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function writeRawAndClose(socket, raw) {
  if (socket[kLinger]) {
    return;
  }
  if (!socket.destroyed && socket.writable) {
    socket.write(raw);
  }
  lingerClose.call(socket);
}

/** Every request on the connection, in order. */
function noteRequest(socket, res) {
  socket[kLastRes] = res;
  if (socket[kFresh]) {
    socket[kFresh] = false;
    socket.setTimeout(0);
  }
}

/** Writes the raw answer after the last answer owed before it (answers go out in request order), then closes. */
function writeAfterLastAnswer(socket, raw) {
  const last = socket[kLastRes];
  if (last === null || last.writableFinished || last.destroyed) {
    writeRawAndClose(socket, raw);
    return;
  }
  const write = () => writeRawAndClose(socket, raw);
  last.once('finish', write);
  last.once('close', write);
}

/** After an answer: a protocol error owed on this connection goes out once no request before it is unanswered. */
function afterAnswers(socket) {
  const raw = socket[kProtocolError];
  if (raw !== null && socket[kPending] === 0) {
    socket[kProtocolError] = null;
    writeAfterLastAnswer(socket, raw);
  }
}

/** Status, code and message for an error of Node's HTTP parser (or its request timeouts). */
function classify(err) {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'BadRequest', 'the request headers are too large'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'PayloadTooLarge', 'the chunk extensions are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'RequestTimeout', 'the request did not arrive in time'];
    default: {
      const reason = String(err.reason || err.code).slice(0, 100);
      return [400, 'BadRequest', `${MESSAGES[err.code] || 'malformed HTTP request'} (${reason})`];
    }
  }
}

/**
 * server 'clientError': a request Node's parser refused gets the JSON answer the README promises. One whose body was
 * being read is answered by its invocation (counted and logged as such); a later one (pipelined behind complete
 * requests) gets a raw answer after the answers owed before it. Either way the connection then closes.
 */
function onClientError(err, socket) {
  if (socket[kBroken] || socket[kLinger] || socket.destroyed) {
    return;
  }
  socket[kBroken] = true;
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] = classify(err);
  const receiving = socket[kReceiving];
  if (receiving !== null && !receiving.req.complete) {
    // the request whose body was being read is the broken one
    socket[kReceiving] = null;
    receiving.protocolError(status, code, message);
    return;
  }
  socket[kProtocolError] = rawAnswer(status, code, message);
  afterAnswers(socket);
}

/**
 * server 'connect': a CONNECT request is refused as any other method on / is. Node has let go of the connection (Node
 * 26 may hand over a wrapper of it): answer, then drop what comes until the client closes, for at most 2 s.
 */
function onConnect(req, stream) {
  stream.on('error', () => stream.destroy());
  stream.on('end', () => stream.destroy());
  stream.end(rawAnswer(405, 'MethodNotAllowed', 'invoke the function with POST /'));
  stream.resume();
  setTimeout(() => stream.destroy(), LINGER_MS).unref();
}

module.exports = {
  kReceiving, kPending, configure, prepare, noteRequest, afterAnswers, onClientError, onConnect,
};
