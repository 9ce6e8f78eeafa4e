#!/usr/bin/env bash
# Installs the schema packages pinned by package.json + package-lock.json (beside this script) into
# .tools/schemas/ of the checkout with `npm ci`, unless that exact lock file is already installed.
# Run by `make tools` (scripts/install-tools.sh) and by the test-support build, so that a plain
# `mvn verify` on a fresh clone has them too. Needs node and npm; prints one line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$(cd "$here/../.." && pwd)/.tools/schemas"
marker="$dest/node_modules/.klambda-installed-lock"

if [ -f "$marker" ] && cmp -s "$here/package-lock.json" "$marker"; then
  echo "tools: schema packages present ($(sed -n 's/.*"\(@kubernetes-models\/knative\|kubernetes-models\)": "\([^"]*\)".*/\1@\2/p' "$here/package.json" | paste -sd ' '))"
  exit 0
fi
command -v npm >/dev/null || { echo "tools: npm is missing: install Node.js and npm (make tools does)" >&2; exit 1; }
echo "tools: installing the schema packages into .tools/schemas (npm ci)"
rm -rf "$dest"
mkdir -p "$dest"
cp "$here/package.json" "$here/package-lock.json" "$dest/"
npm ci --prefix "$dest" --no-audit --no-fund --loglevel=error >/dev/null
cp "$here/package-lock.json" "$marker"
