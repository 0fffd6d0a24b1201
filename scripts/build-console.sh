#!/usr/bin/env bash
# Builds the web console's front end: console/ (Preact, uPlot, Vite) -> console/dist, which
# cairn serves from the console port (it finds console/dist beside its build directory;
# --console-dir names another folder). Installs the npm packages exactly as the lockfile pins
# them (npm ci). Skips the work when nothing changed since the last build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/console"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-console: npm is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# What the build depends on; the hash is kept in dist/ and node_modules/.
inputs_hash() {
  find package.json package-lock.json vite.config.js index.html src -type f -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16
}
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [[ "$(cat node_modules/.cairn-lock 2>/dev/null || true)" != "$lock_hash" ]]; then
  echo "build-console: npm ci (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >node_modules/.cairn-lock
fi
hash="$(inputs_hash)"
if [[ -f dist/index.html && "$(cat dist/.cairn-build 2>/dev/null || true)" == "$hash" ]]; then
  echo "build-console: console/dist is up to date"
  exit 0
fi
npx --no-install vite build --logLevel warn
echo "$hash" >dist/.cairn-build
echo "build-console: built console/dist"
