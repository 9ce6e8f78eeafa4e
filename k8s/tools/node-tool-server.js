#!/usr/bin/env node
// Knative Lambda's node tool sidecar: runs the builder's `npm ci`/`npm install`, `node --check FILE` and
// `node --version`, and nothing else.
//
// Node's standard library only, started by the sidecar as `node node-tool-server.js` in the official node image
// (npm included). It listens on 127.0.0.1 (the pod's shared loopback), answers only callers with the bearer token it
// keeps in KLAMBDA_TOOLS_TOKEN_FILE (made at first start, mode 0600, never printed), and runs only the allow-listed
// command shapes, in a directory inside the shared work directory (KLAMBDA_TOOLS_WORK_DIR): npm always with
// --ignore-scripts and the builder's flags, its configuration files inside the work directory and holding only the
// registry and its token reference, no .npmrc in the project. Anything else is refused with a JSON error; a run is
// killed at its deadline and its output is bounded and masked.
//
// POST /run {"tool": "npm"|"node", "args": [...], "cwd": DIR, "env": {...}, "timeoutMs": N, "maxOutput": N}
//   -> 200 {"exitCode": N, "timedOut": false, "output": "..."}
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = fs.realpathSync(process.env.KLAMBDA_TOOLS_WORK_DIR || '/var/lib/klambda');
const TOKEN_FILE = process.env.KLAMBDA_TOOLS_TOKEN_FILE || '/var/run/klambda-tools/node.token';
const PORT = Number(process.env.KLAMBDA_TOOLS_PORT || '8182');
const MAX_RUNNING = Number(process.env.KLAMBDA_TOOLS_MAX_RUNNING || '8');
const MAX_BODY = 64 * 1024;
const MAX_OUTPUT = 256 * 1024;
const MAX_TIMEOUT_MS = 15 * 60 * 1000;
const NPM_FLAGS = new Set(['--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--no-bin-links',
  '--update-notifier=false']);
const NPM_VALUED = /^--(fetch-retries|fetch-retry-mintimeout|fetch-retry-maxtimeout|fetch-timeout)=\d{1,7}$/;
const PATH_ENV = new Set(['npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cache', 'HOME']);
const TOKEN_ENV = 'KLAMBDA_NPM_AUTH_TOKEN';
const NPMRC_LINE = /^(registry=https?:\/\/\S{1,2000}|\/\/\S{1,2000}:_authToken=\$\{KLAMBDA_NPM_AUTH_TOKEN\})$/;
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]+@/gi;
let running = 0;

/** A request this server does not run: an HTTP status, a stable code and a sentence. */
class Refused extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The shared token: the file's, else a new random one written there (0600) for the builder to read. */
function token() {
  try {
    const existing = fs.readFileSync(TOKEN_FILE, 'ascii').trim();
    if (existing) return existing;
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  const value = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(TOKEN_FILE + '.tmp', value, { mode: 0o600 });
  fs.renameSync(TOKEN_FILE + '.tmp', TOKEN_FILE);
  return value;
}

/** The real path of p (relative to cwd), refused unless it lies inside ROOT; a missing file's folder must exist. */
function inside(p, cwd, what) {
  if (typeof p !== 'string' || !p || p.includes('\0')) throw new Refused(400, 'InvalidRequest', `${what} must be a path`);
  const joined = path.resolve(cwd, p);
  let real;
  try {
    real = fs.realpathSync(joined);
  } catch {
    try {
      real = path.join(fs.realpathSync(path.dirname(joined)), path.basename(joined));
    } catch {
      throw new Refused(400, 'InvalidRequest', `${what} does not exist`);
    }
  }
  if (real !== ROOT && !real.startsWith(ROOT + path.sep)) {
    throw new Refused(403, 'PathNotAllowed', `${what} is outside the work directory ${ROOT}`);
  }
  return real;
}

function npmArgs(args, cwd) {
  if (args[0] !== 'ci' && args[0] !== 'install') throw new Refused(403, 'CommandNotAllowed', "only 'npm ci' and 'npm install' run here");
  for (const a of args.slice(1)) {
    if (!NPM_FLAGS.has(a) && !NPM_VALUED.test(a)) throw new Refused(403, 'CommandNotAllowed', `npm argument not allowed: ${a.slice(0, 80)}`);
  }
  if (!args.includes('--ignore-scripts')) throw new Refused(403, 'CommandNotAllowed', 'npm must run with --ignore-scripts');
  if (fs.existsSync(path.join(cwd, '.npmrc'))) throw new Refused(403, 'CommandNotAllowed', 'the project may not hold an .npmrc');
}

function nodeArgs(args, cwd) {
  if (args.length === 1 && args[0] === '--version') return;
  if (args.length === 2 && args[0] === '--check') {
    inside(args[1], cwd, 'the checked file');
    return;
  }
  throw new Refused(403, 'CommandNotAllowed', "only 'node --check FILE' and 'node --version' run here");
}

/** The configuration files npm reads: inside the work directory, naming only the registry and the token's variable. */
function npmrc(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Refused(400, 'InvalidRequest', `cannot read ${what}`);
  }
  if (text.split('\n').some((l) => l.trim() && !NPMRC_LINE.test(l.trim()))) {
    throw new Refused(403, 'CommandNotAllowed', `${what} may name only the registry and its token`);
  }
}

function environment(requested, cwd, tool) {
  const env = { PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8' };
  if (typeof requested !== 'object' || requested === null || Array.isArray(requested)) {
    throw new Refused(400, 'InvalidRequest', 'env must be an object');
  }
  for (const [key, value] of Object.entries(requested)) {
    if (tool !== 'npm' || (!PATH_ENV.has(key) && key !== TOKEN_ENV)) {
      throw new Refused(403, 'CommandNotAllowed', `environment variable not allowed: ${String(key).slice(0, 80)}`);
    }
    if (typeof value !== 'string' || value.length > 4096) throw new Refused(400, 'InvalidRequest', `${key} must be a string`);
    env[key] = PATH_ENV.has(key) ? inside(value, cwd, key) : value;
  }
  if (tool === 'npm') {
    for (const key of ['npm_config_userconfig', 'npm_config_globalconfig']) {
      if (!env[key]) throw new Refused(403, 'CommandNotAllowed', `npm needs ${key} inside the work directory`);
      npmrc(env[key], key);
    }
  }
  return env;
}

function mask(text, hidden) {
  let out = text.replace(USER_INFO, '$1***@');
  for (const s of hidden) out = out.split(s).join('***');
  return out;
}

/** Runs the command in its own process group, killed at the deadline; the tail of its output, masked. */
function execute(tool, argv, cwd, env, timeoutMs, maxOutput) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = Buffer.alloc(0);
    let truncated = false;
    const keep = (chunk) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > maxOutput) {
        truncated = true;
        tail = tail.subarray(tail.length - maxOutput);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    const hidden = env[TOKEN_ENV] && env[TOKEN_ENV].length >= 3 ? [env[TOKEN_ENV]] : [];
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, timedOut: false, output: `cannot start ${tool}: ${e.code}`, truncated: false });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const answer = { exitCode: timedOut ? -1 : code ?? 128, timedOut, output: mask(tail.toString('utf8'), hidden), truncated };
      if (timedOut) Object.assign(answer, { error: 'Timeout', message: `${tool} did not finish within ${timeoutMs} ms and was killed` });
      else if (signal) answer.output += `\n(${tool} ended by ${signal})`;
      resolve(answer);
    });
  });
}

async function handle(request) {
  if (typeof request !== 'object' || request === null || (request.tool !== 'npm' && request.tool !== 'node')) {
    throw new Refused(403, 'CommandNotAllowed', 'this sidecar runs npm and node only');
  }
  const { tool, args } = request;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new Refused(400, 'InvalidRequest', 'args must be a list of strings');
  const cwd = inside(request.cwd ?? ROOT, ROOT, 'cwd');
  if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new Refused(400, 'InvalidRequest', 'cwd is not a directory');
  if (tool === 'npm') npmArgs(args, cwd); else nodeArgs(args, cwd);
  const env = environment(request.env ?? {}, cwd, tool);
  const timeoutMs = request.timeoutMs ?? 60000;
  const maxOutput = request.maxOutput ?? 64 * 1024;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) throw new Refused(400, 'InvalidRequest', `timeoutMs must be 1..${MAX_TIMEOUT_MS}`);
  if (!Number.isInteger(maxOutput) || maxOutput <= 0 || maxOutput > MAX_OUTPUT) throw new Refused(400, 'InvalidRequest', `maxOutput must be 1..${MAX_OUTPUT}`);
  if (running >= MAX_RUNNING) throw new Refused(503, 'Busy', `${MAX_RUNNING} runs are going on; retry`);
  running++;
  try {
    const argv = tool === 'node' ? [process.execPath, ...args] : ['npm', ...args];
    return await execute(tool, argv, cwd, env, timeoutMs, maxOutput);
  } finally {
    running--;
  }
}

function answer(res, status, body) {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
}

function serve(secret) {
  const expected = Buffer.from(`Bearer ${secret}`);
  return http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', async () => {
      try {
        if (req.method !== 'POST' || req.url !== '/run') throw new Refused(404, 'NotFound', 'POST /run is the only endpoint');
        const given = Buffer.from(req.headers.authorization || '');
        if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
          throw new Refused(401, 'Unauthorized', 'a valid bearer token is required');
        }
        if (size > MAX_BODY) throw new Refused(413, 'InvalidRequest', `a JSON body up to ${MAX_BODY} bytes`);
        let request;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new Refused(400, 'InvalidRequest', 'the body is not JSON');
        }
        answer(res, 200, await handle(request));
      } catch (e) {
        if (e instanceof Refused) answer(res, e.status, { error: e.code, message: e.message });
        else answer(res, 500, { error: 'InternalError', message: e.name });
      }
      process.stderr.write(`${req.method} ${req.url} ${res.statusCode}\n`);
    });
  });
}

const server = serve(token());
server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write(`node tool server listening on 127.0.0.1:${server.address().port}, work dir ${ROOT}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
