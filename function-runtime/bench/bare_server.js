'use strict';
// Bare baseline for the Node.js runtime benchmark: Node's own http module, keep-alive, Nagle off, one write per
// answer. POST does the benchmark's trivial function in plain code (JSON.parse the body, answer {"ok": true, "n": <n>});
// with BARE_BODY=fixed it only reads the body and answers fixed JSON. No runtime contract: no CloudEvents, metrics,
// logging, limits or timeouts.
const http = require('http');

const FIXED = '{"ok": true}';
const PARSE = process.env.BARE_BODY !== 'fixed';

function answer(res, status, body) {
  res.writeHead(status, ['Content-Type', 'application/json', 'Content-Length', Buffer.byteLength(body)]);
  res.end(body);
}

http.createServer({ noDelay: true }, (req, res) => {
  if (req.method !== 'POST') {
    answer(res, 200, FIXED);
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (!PARSE) {
      answer(res, 200, FIXED);
      return;
    }
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      answer(res, 200, JSON.stringify({ ok: true, n: event.n ?? null }));
    } catch (e) {
      answer(res, 400, '{"error": "InvalidJson"}');
    }
  });
}).listen(Number(process.env.PORT || 8080), process.env.HOST || '127.0.0.1');
