#!/usr/bin/env node
// The local S3 server of `make run` and the end-to-end tests: s3rver (from .tools/, `make tools`)
// plus what s3rver lacks, a webhook for its object notifications, as MinIO's `mc event add` gives:
// every ObjectCreated / ObjectRemoved record is POSTed, as raw S3 notification JSON, to --webhook
// (the builder's /s3/notifications). Deliveries are kept in order per key and retried with backoff
// until the webhook answers 2xx, so nothing is lost while the builder starts or restarts.
//
// What s3rver would do wrong with a hostile key is refused before it sees it: a key over S3's 1,024
// bytes gets S3's 400 KeyTooLongError; a key with a `..` segment (which s3rver would write outside
// its directory) or a segment longer than the file system's 255-byte names (which crashed it with
// ENAMETOOLONG) gets 400 InvalidArgument.
//
// Accepted notifications are journaled (one file each under <directory>.notifications/) before they
// are queued and removed once delivered, so a restart delivers what a crash left queued. The process
// is supervised: the parent restarts the server (a child) whenever it dies, after 1 s; SIGTERM or
// SIGINT to the parent stops both. The child's pid is in <directory>.notifications/server.pid.
//
// With --webhook-token-file, every notification carries `Authorization: Bearer <token>`, as MinIO's
// webhook target sends its auth_token; the builder refuses notifications without it.
//
//   node scripts/dev/s3-server.js --directory DIR --port 4569 --bucket NAME [--bucket ...] --webhook URL \
//     [--webhook-token-file FILE]
'use strict';
const path = require('path');
const http = require('http');
const fs = require('fs');
const { fork } = require('child_process');

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
  else if (a === '--serve') opt.serve = true;
  else { console.error(`unknown option ${a}`); process.exit(2); }
}
if (!opt.directory) { console.error('--directory is required'); process.exit(2); }
const journal = path.resolve(opt.directory) + '.notifications';

// The parent: runs the server as a child and restarts it when it dies.
function supervise() {
  let child = null;
  let stopping = false;
  const start = () => {
    child = fork(__filename, [...args, '--serve'], { stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (stopping) process.exit(0);
      console.error(`s3-server: the server exited (${signal || code}); restarting it in 1 s`);
      setTimeout(start, 1000);
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      stopping = true;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      else process.exit(0);
    });
  }
  start();
}

// The child: s3rver behind the key guard, with the journaled webhook.
function serve() {
  // the parent gone (even SIGKILLed): the IPC channel closes, and this server must not stay unowned
  process.on('disconnect', () => process.exit(0));
  // s3rver makes ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node 17+) no longer has: every
  // truncated listing (more objects than max-keys, as the deployer's reconciler pages) was a 500. Triple DES with one
  // key three times is the same cipher, and is there.
  const crypto = require('crypto');
  for (const name of ['createCipheriv', 'createDecipheriv']) {
    const original = crypto[name];
    crypto[name] = (algorithm, key, iv, options) => algorithm === 'des'
      ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options) : original(algorithm, key, iv, options);
  }
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
  server.middleware.unshift(keyGuard);
  fs.mkdirSync(journal, { recursive: true });
  fs.writeFileSync(path.join(journal, 'server.pid'), String(process.pid));

  const queues = new Queues(post);
  let sequence = 0;
  for (const name of fs.readdirSync(journal).filter(n => n.endsWith('.json')).sort()) {
    const file = path.join(journal, name);
    const body = fs.readFileSync(file, 'utf8');
    sequence = Math.max(sequence, Number(name.split('-')[0]) || 0);
    queues.add(queueKey(JSON.parse(body)), body, file);
  }
  if (queues.pending() > 0) console.log(`s3-server: ${queues.pending()} journaled notification(s) to deliver`);

  server.on('event', event => {
    if (!opt.webhook) return;
    // s3rver puts the raw key in its records; S3 and MinIO URL-encode it (spaces as '+'), and the webhook decodes it
    // once: encoded here as S3 does, a key with '%', '+' or an emoji reaches the builder as it was uploaded
    for (const r of event.Records || []) {
      if (r.s3 && r.s3.object && typeof r.s3.object.key === 'string') r.s3.object.key = s3Encode(r.s3.object.key);
    }
    const body = JSON.stringify(event);
    sequence++;
    const file = path.join(journal, `${String(sequence).padStart(12, '0')}-${process.pid}.json`);
    fs.writeFileSync(file + '.tmp', body);
    fs.renameSync(file + '.tmp', file);
    queues.add(queueKey(event), body, file);
  });

  server.run().then(address => {
    console.log(`s3-server: listening on http://${address.address}:${address.port} (pid ${process.pid})` +
      (opt.webhook ? `, notifications to ${opt.webhook}` : ''));
  }).catch(err => { console.error(err); process.exit(1); });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, async () => {
      // give queued notifications a moment; what is left stays journaled for the next start
      const deadline = Date.now() + 5000;
      while (queues.pending() > 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
      await server.close().catch(() => {});
      process.exit(0);
    });
  }
}

// Refuses, with S3's XML error, a key that s3rver's file store cannot hold safely.
async function keyGuard(ctx, next) {
  const parts = ctx.path.split('/');
  if (parts.length < 3 || parts[2] === '') return next();
  let key;
  try {
    key = decodeURIComponent(parts.slice(2).join('/'));
  } catch (e) {
    return s3Error(ctx, 400, 'InvalidURI', 'Couldn\'t parse the specified URI.');
  }
  if (Buffer.byteLength(key, 'utf8') > 1024) {
    return s3Error(ctx, 400, 'KeyTooLongError', 'Your key is too long');
  }
  for (const segment of key.split('/')) {
    if (segment === '..') {
      return s3Error(ctx, 400, 'InvalidArgument', 'This local S3 server refuses keys with a ".." segment.');
    }
    // s3rver stores each segment as a file name, percent-encoding some characters: keep well under 255 bytes
    if (Buffer.byteLength(encodeURIComponent(segment), 'utf8') > 240) {
      return s3Error(ctx, 400, 'InvalidArgument',
        'This local S3 server stores each "/"-separated part of a key as a file name: at most 240 bytes each.');
    }
  }
  return next();
}

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<Resource>${escapeXml(ctx.path)}</Resource></Error>`;
}

function escapeXml(s) {
  return s.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '\'': '&apos;', '"': '&quot;' }[c]));
}

// A key as S3 writes it in notifications: URL-encoded, a space as '+', '/' kept.
function s3Encode(key) {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

function queueKey(event) {
  const r = event.Records && event.Records[0];
  return r ? `${r.s3.bucket.name}/${r.s3.object.key}` : '';
}

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

// One queue per object key, so that a key's notifications stay in order (put, then delete), and up to
// MAX_IN_FLIGHT keys delivered at once. A delivered notification's journal file is removed.
class Queues {
  constructor(send) {
    this.send = send;
    this.queues = new Map();
    this.inFlight = 0;
  }

  static get MAX_IN_FLIGHT() { return 8; }

  add(key, body, file) {
    if (!this.queues.has(key)) this.queues.set(key, []);
    this.queues.get(key).push({ body, file });
    this.schedule();
  }

  pending() {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  schedule() {
    for (const [key, queue] of this.queues) {
      if (this.inFlight >= Queues.MAX_IN_FLIGHT) return;
      if (!queue.active && queue.length > 0) {
        queue.active = true;
        this.inFlight++;
        this.deliver(key);
      }
    }
  }

  async deliver(key) {
    const queue = this.queues.get(key);
    while (queue.length > 0) {
      let delay = 200;
      for (;;) {
        const status = await this.send(queue[0].body);
        if (typeof status === 'number' && status >= 200 && status < 300) break;
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
          // the webhook will never take it (not a notification to it): retrying cannot help, and must not block the key
          console.error(`s3-server: webhook refused a notification for ${key} for good (${status}); dropped`);
          break;
        }
        console.error(`s3-server: webhook answered ${status}; retrying in ${delay} ms`);
        await new Promise(r => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10000);
      }
      fs.rmSync(queue.shift().file, { force: true });
    }
    this.queues.delete(key);
    this.inFlight--;
    this.schedule();
  }
}

if (!opt.serve) supervise(); else serve();
