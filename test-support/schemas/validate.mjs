// Validates Kubernetes and Knative objects against the published schemas of the npm packages pinned in
// package.json: @kubernetes-models/knative (validators generated from the Knative API types) and
// kubernetes-models (generated from the Kubernetes OpenAPI). Driven by the Java tests' KnativeSchemas
// as one long-lived child process: one JSON object per line on stdin, one answer per line on stdout,
//   {"known": true, "violations": ["/spec/x: must be integer", ...]}   or   {"known": false}
// (no model for that apiVersion/kind in either package)   or   {"error": "..."} (a bug, not a verdict).
//
// Usage: node validate.mjs <node_modules folder holding the two packages>
//
// Stricter than the API server in one way, on purpose: a field the schema does not name, in an object
// whose schema names its properties (not a map, not free-form), is a violation; the API server would
// prune it silently and the setting would be lost. The generated validators do not check that
// themselves, so every object is validated through a Proxy that records which properties the
// validator looked up; a property present but never looked up is unknown.
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
if (!modules) {
  process.stderr.write("usage: node validate.mjs <node_modules folder>\n");
  process.exit(2);
}

// Where a "required" of the generated schemas is not required by the API server. The generator marks
// every field whose Go JSON tag lacks omitempty as required; the upstream CRDs do not, for these.
const NOT_REQUIRED = [
  // status belongs to the server and controllers; clients never send it.
  { kinds: /.*/, path: /^$/, property: /^status$/ },
  // Knative Serving defaults the container name (user-container) and a probe's port (the container port).
  { kinds: /^serving\.knative\.dev\/v1\/(Service|Configuration|Revision)$/, path: /\/containers\/\d+$/, property: /^name$/ },
  { kinds: /^serving\.knative\.dev\/v1\/(Service|Configuration|Revision)$/,
    path: /\/containers\/\d+\/(liveness|readiness|startup)Probe\/(httpGet|tcpSocket|grpc)$/, property: /^port$/ },
  // IntegrationSource's AWS options are optional in the CRD; the webhook defaults them.
  { kinds: /^sources\.knative\.dev\/v1alpha1\/IntegrationSource$/, path: /^\/spec\/aws\/[A-Za-z]+$/, property: /.*/ },
];

const models = new Map();

function modelFile(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!/^[A-Za-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return null;
  }
  return group.endsWith("knative.dev")
    ? join(modules, "@kubernetes-models/knative", group, version, kind + ".js")
    : join(modules, "kubernetes-models", group, version, kind + ".js");
}

async function model(apiVersion, kind) {
  const key = apiVersion + "/" + kind;
  if (!models.has(key)) {
    let found = null;
    const file = modelFile(apiVersion, kind);
    if (file) {
      try {
        const type = (await import(pathToFileURL(file).href))[kind];
        if (type && type.apiVersion === apiVersion && type.kind === kind) {
          found = type;
        }
      } catch (e) {
        if (e.code !== "ERR_MODULE_NOT_FOUND") {
          throw e;
        }
      }
    }
    models.set(key, found);
  }
  return models.get(key);
}

/** A Proxy over the object tree that records, per object, the properties looked up and whether its keys were listed. */
function tracked(root) {
  const seen = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") {
      return value;
    }
    let entry = seen.get(value);
    if (!entry) {
      const record = { lookedUp: new Set(), listed: false };
      const note = (p) => typeof p === "string" && record.lookedUp.add(p);
      entry = {
        record,
        proxy: new Proxy(value, {
          get: (t, p, r) => (note(p), wrap(Reflect.get(t, p, r))),
          has: (t, p) => (note(p), Reflect.has(t, p)),
          getOwnPropertyDescriptor: (t, p) => (note(p), Reflect.getOwnPropertyDescriptor(t, p)),
          ownKeys: (t) => ((record.listed = true), Reflect.ownKeys(t)),
        }),
      };
      seen.set(value, entry);
    }
    return entry.proxy;
  };
  return { proxy: wrap(root), recordOf: (o) => seen.get(o)?.record };
}

/** Properties of objects whose schema names its properties (looked some up, listed none) that it never looked up. */
function unknownFields(node, path, recordOf, out) {
  const record = node !== null && typeof node === "object" ? recordOf(node) : undefined;
  if (!record) {
    return; // a scalar, or not reached by the validator (free-form, or under an unknown field)
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => unknownFields(item, path + "/" + i, recordOf, out));
    return;
  }
  const named = !record.listed && record.lookedUp.size > 0;
  for (const key of Object.keys(node)) {
    if (named && !record.lookedUp.has(key)) {
      out.push(`${path}/${key}: unknown field '${key}' (its schema names no such property and keeps no unknown fields)`);
    } else {
      unknownFields(node[key], path + "/" + key, recordOf, out);
    }
  }
}

function required(type, error) {
  if (error.keyword !== "required") {
    return true;
  }
  const kind = type.apiVersion + "/" + type.kind;
  return !NOT_REQUIRED.some((r) => r.kinds.test(kind) && r.path.test(error.instancePath)
    && r.property.test(error.params.missingProperty));
}

async function validate(object) {
  const type = await model(String(object.apiVersion ?? ""), String(object.kind ?? ""));
  if (!type) {
    return { known: false };
  }
  const { proxy, recordOf } = tracked(object);
  const violations = [];
  try {
    type.prototype.validate.call(proxy);
  } catch (e) {
    if (!Array.isArray(e.errors)) {
      throw e;
    }
    for (const error of e.errors.filter((err) => required(type, err))) {
      violations.push(`${error.instancePath || "/"}: ${error.message}`);
    }
  }
  unknownFields(object, "", recordOf, violations);
  return { known: true, violations };
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  let answer;
  try {
    const object = JSON.parse(line);
    answer = object !== null && typeof object === "object" && !Array.isArray(object)
      ? await validate(object)
      : { known: true, violations: ["/: not a JSON object"] };
  } catch (e) {
    answer = { error: String((e && e.stack) || e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
