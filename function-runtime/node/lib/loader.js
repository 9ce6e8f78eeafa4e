'use strict';
// Finds the function's file and its handler. Every module format loads: an ES module (.mjs, a .js under "type":
// "module", or a .js whose syntax is ESM), CommonJS (.cjs, other .js, extension-less files), with or without
// top-level await. A .js, .cjs or .mjs file is loaded with require() where Node can (20.19+, process.features
// .require_module; no top-level await in the graph): for an ES module the same namespace as import() gives, for
// CommonJS its exports seen as one (below), in both cases without the ES module loader's asynchronous path (a .mjs
// function starts 0.80-0.83x, parser.js ~10 ms sooner; BENCHMARKS.md). Anything else, and what require() refuses,
// goes through import(). The runtime is the process's main module, so the function's own "main" check
// (require.main === module, or import.meta.url against process.argv[1]) is false and its main block never runs.
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { ConfigError } = require('./config');

const SOURCE = /\.(js|mjs|cjs)$/;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** The `main` of the folder's package.json, if it names a file there. */
function packageMain(dir) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    return null;
  }
  const main = manifest && typeof manifest.main === 'string' ? path.resolve(dir, manifest.main) : null;
  return main && main.startsWith(path.resolve(dir) + path.sep) && fs.statSync(main, { throwIfNoEntry: false })?.isFile()
    ? main : null;
}

/**
 * The function's source: FUNCTION_FILE, else package.json's `main`, else the single .js/.mjs/.cjs file, else the
 * single extension-less file. Anything ambiguous fails at start.
 */
function findFunctionFile(dir, file) {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(`FUNCTION_DIR ${dir} is not a folder`);
  }
  if (file) {
    const chosen = path.join(dir, file);
    if (!fs.statSync(chosen, { throwIfNoEntry: false })?.isFile()) {
      throw new ConfigError(`FUNCTION_FILE ${file} not found in ${dir}`);
    }
    return chosen;
  }
  const main = packageMain(dir);
  if (main) {
    return main;
  }
  const all = files(dir);
  const sources = all.filter((f) => SOURCE.test(f));
  const bare = all.filter((f) => !f.includes('.'));
  if (sources.length === 1) {
    return path.join(dir, sources[0]);
  }
  if (sources.length === 0 && bare.length === 1) {
    return path.join(dir, bare[0]);
  }
  throw new ConfigError(`cannot tell which file in ${dir} is the function (found ${all.join(', ') || 'no files'}); `
    + 'set FUNCTION_FILE');
}

/**
 * The handler in a loaded module: the export named `name`; else, for a default export that is an object (or
 * CommonJS module.exports), its method `name`; else, when `name` is the default "handler", the default export
 * itself if it is a function (export default function, module.exports = function).
 */
function pickHandler(namespace, name) {
  const direct = namespace[name];
  if (typeof direct === 'function') {
    return direct;
  }
  const fallback = namespace.default;
  if (fallback !== null && (typeof fallback === 'object' || typeof fallback === 'function')
      && typeof fallback[name] === 'function') {
    return fallback[name].bind(fallback);
  }
  if (name === 'handler' && typeof fallback === 'function') {
    return fallback;
  }
  return null;
}

// what require() of an ES module throws where import() would load it: a graph with top-level await, or a Node without
// require(esm). For the function's own graph both are thrown before any of its code runs, so nothing runs twice (a
// CommonJS function that itself require()s such a module fails either way, with this same error).
const IMPORT_ONLY = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM']);
const REQUIRABLE = /\.(js|mjs|cjs)$/;

/**
 * What import() would give for a module require() returned: an ES module's namespace as it is; CommonJS exports as
 * `default`, and their own properties by name when they are an object or a function (import() names those it can
 * find in the source; this names every one).
 */
function namespaceOf(exported) {
  if (Object.prototype.toString.call(exported) === '[object Module]') {
    return exported;
  }
  const names = exported !== null && (typeof exported === 'object' || typeof exported === 'function')
    ? Object.keys(exported).filter((k) => k !== 'default') : [];
  const namespace = Object.create(null);
  for (const name of names.concat('default').sort()) { // sorted, as a module namespace lists its names
    namespace[name] = name === 'default' ? exported : exported[name];
  }
  return namespace;
}

/** The module namespace of `file`: require() for a .js/.mjs/.cjs file where Node allows it, import() otherwise. */
async function loadModule(file) {
  if (REQUIRABLE.test(file) && process.features.require_module) {
    try {
      return namespaceOf(require(file));
    } catch (error) {
      if (!IMPORT_ONLY.has(error && error.code)) {
        throw error;
      }
    }
  }
  return import(pathToFileURL(file).href);
}

/** Loads the file and returns its handler; a module without one is a ConfigError. */
async function loadHandler(file, name) {
  const namespace = await loadModule(file);
  const handler = pickHandler(namespace, name);
  if (handler === null) {
    const exported = Object.keys(namespace).join(', ') || 'nothing';
    throw new ConfigError(`${path.basename(file)} has no callable ${JSON.stringify(name)} (it exports ${exported})`);
  }
  return handler;
}

module.exports = { findFunctionFile, loadHandler, pickHandler };
