'use strict';
// The HTTP surface on Node's own http module: POST / invokes the function; GET /health/live, /health/ready, /metrics;
// JSON errors for every other request, including those Node's parser refuses.
const http = require('http');
const { errorBody } = require('./errors');
const { Invocation } = require('./invocation');
const sockets = require('./sockets');

const MAX_HEADER_BYTES = 65536;
const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const UP = '{"status":"UP"}';
const DOWN = '{"status":"DOWN"}';
const NOT_ALLOWED = errorBody('MethodNotAllowed', 'invoke the function with POST /');

function reply(res, status, body, close, contentType = 'application/json') {
  const headers = ['Content-Type', contentType, 'Content-Length', Buffer.byteLength(body)];
  if (close) {
    headers.push('Connection', 'close');
  }
  res.writeHead(status, headers);
  res.end(body);
}

function pathOf(url) {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function notFound(path) {
  return errorBody('NotFound', 'no such path: ' + path.slice(0, 200));
}

function get(rt, req, res) {
  const path = pathOf(req.url);
  const close = rt.draining;
  if (path === '/health/live') {
    reply(res, 200, UP, close);
  } else if (path === '/health/ready') {
    const up = rt.ready && !rt.draining;
    reply(res, up ? 200 : 503, up ? UP : DOWN, close);
  } else if (path === '/metrics') {
    reply(res, 200, rt.metrics.render(), close, METRICS_TYPE);
  } else if (path === '/') {
    reply(res, 405, NOT_ALLOWED, close);
  } else {
    reply(res, 404, notFound(path), close);
  }
}

function route(rt, req, res) {
  sockets.noteRequest(req.socket, res);
  if (req.httpVersionMajor !== 1) { // "GET /" alone is an HTTP/0.9 request line: not served, as the other runtimes
    reply(res, 400, errorBody('BadRequest', 'malformed request line'), true);
    return;
  }
  const method = req.method;
  if (method === 'POST') {
    const url = req.url;
    if (url === '/' || pathOf(url) === '/') {
      new Invocation(rt, req, res).start();
    } else {
      reply(res, 404, notFound(pathOf(url)), true);
    }
  } else if (method === 'GET') {
    get(rt, req, res);
  } else {
    reply(res, 405, NOT_ALLOWED, true);
  }
}

/** The server for runtime state `rt` (config, metrics, slots, handler, readiness), not yet listening. */
function createServer(rt) {
  const config = rt.config;
  sockets.configure(config.maxBodyBytes, config.idleMs, config.maxConnections);
  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    requireHostHeader: false, // as the other runtimes: HTTP/1.1 without Host is served
    joinDuplicateHeaders: true, // a repeated header is one value joined with ", ", as in the Python runtime
    noDelay: true,
  }, (req, res) => route(rt, req, res));
  // a keep-alive connection idle this long after its last answer is closed (Node adds up to a second)
  server.keepAliveTimeout = config.idleMs;
  // a client that half-closes after its request still gets the answer
  server.httpAllowHalfOpen = true;
  server.on('connection', sockets.prepare);
  server.on('clientError', sockets.onClientError);
  server.on('connect', sockets.onConnect);
  // Expect: 100-continue: the interim answer only for a request that will read its body; others are answered at once
  server.on('checkContinue', (req, res) => {
    const length = req.headers['content-length'];
    if (req.method === 'POST' && pathOf(req.url) === '/' && rt.ready
        && !(length !== undefined && Number(length) > config.maxBodyBytes)) {
      res.writeContinue();
    }
    route(rt, req, res);
  });
  return server;
}

module.exports = { createServer };
