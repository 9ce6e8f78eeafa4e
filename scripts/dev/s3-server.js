#!/usr/bin/env node
// The local S3 server of `make run` and the end-to-end tests: s3rver (from .tools/, `make tools`)
// plus what s3rver lacks, a webhook for its object notifications, as MinIO's `mc event add` gives:
// every ObjectCreated / ObjectRemoved record is POSTed, as raw S3 notification JSON, to --webhook
// (the builder's /s3/notifications). Deliveries are kept in order and retried with backoff until
// the webhook answers 2xx, so nothing is lost while the builder starts or restarts.
//
// With --webhook-token-file, every notification carries `Authorization: Bearer <token>`, as MinIO's
// webhook target sends its auth_token; the builder refuses notifications without it.
//
//   node scripts/dev/s3-server.js --directory DIR --port 4569 --bucket NAME [--bucket ...] --webhook URL \
//     [--webhook-token-file FILE]
'use strict';
const path = require('path');
const http = require('http');

const args = process.argv.slice(2);
const opt = { buckets: [], address: '127.0.0.1', port: 4569 };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--directory') opt.directory = args[++i];
  else if (a === '--address') opt.address = args[++i];
  else if (a === '--port') opt.port = Number(args[++i]);
  else if (a === '--bucket') opt.buckets.push(args[++i]);
  else if (a === '--webhook') opt.webhook = args[++i];
  else if (a === '--webhook-token-file') opt.webhookToken = require('fs').readFileSync(args[++i], 'utf8').trim();
  else { console.error(`unknown option ${a}`); process.exit(2); }
}
if (!opt.directory) { console.error('--directory is required'); process.exit(2); }

const S3rver = require(path.join(__dirname, '..', '..', '.tools', 'node_modules', 's3rver'));
const server = new S3rver({
  address: opt.address,
  port: opt.port,
  directory: opt.directory,
  silent: true,
  allowMismatchedSignatures: true,
  vhostBuckets: false,
  configureBuckets: opt.buckets.map(name => ({ name, configs: [] })),
});

// One queue per object key, so that a key's notifications stay in order (put, then delete), and up
// to MAX_IN_FLIGHT keys delivered at once.
const MAX_IN_FLIGHT = 8;
const queues = new Map();
let inFlight = 0;

function post(body) {
  return new Promise(resolve => {
    const url = new URL(opt.webhook);
    const req = http.request({
      hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        opt.webhookToken ? { Authorization: `Bearer ${opt.webhookToken}` } : {}),
      timeout: 60000,
    }, res => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', err => resolve(err.message));
    req.end(body);
  });
}

async function deliver(key) {
  const queue = queues.get(key);
  while (queue.length > 0) {
    let delay = 200;
    for (;;) {
      const status = await post(queue[0]);
      if (typeof status === 'number' && status >= 200 && status < 300) break;
      console.error(`s3-server: webhook answered ${status}; retrying in ${delay} ms`);
      await new Promise(r => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10000);
    }
    queue.shift();
  }
  queues.delete(key);
  inFlight--;
  schedule();
}

function schedule() {
  for (const [key, queue] of queues) {
    if (inFlight >= MAX_IN_FLIGHT) return;
    if (!queue.active && queue.length > 0) {
      queue.active = true;
      inFlight++;
      deliver(key);
    }
  }
}

function pending() {
  let n = 0;
  for (const q of queues.values()) n += q.length;
  return n;
}

server.on('event', event => {
  if (!opt.webhook) return;
  const key = event.Records && event.Records[0] ? `${event.Records[0].s3.bucket.name}/${event.Records[0].s3.object.key}` : '';
  if (!queues.has(key)) queues.set(key, []);
  queues.get(key).push(JSON.stringify(event));
  schedule();
});

server.run().then(address => {
  console.log(`s3-server: listening on http://${address.address}:${address.port}` +
    (opt.webhook ? `, notifications to ${opt.webhook}` : ''));
}).catch(err => { console.error(err); process.exit(1); });

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    // give queued notifications a moment, then stop
    const deadline = Date.now() + 5000;
    while (pending() > 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
    await server.close();
    process.exit(0);
  });
}
