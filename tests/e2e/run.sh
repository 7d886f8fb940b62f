#!/usr/bin/env bash
# Runs the JavaScript client's unit tests (clients/js) and the end-to-end
# tests of the browser demo (plain and over TLS) and the client: installs
# what they need when it is missing (Debian's chromium, Node.js, openssl,
# playwright-core from package-lock.json), then starts real clusters from the
# build tree and drives them from headless Chromium. Expects the binaries to
# be built (scripts/build.sh).
#
# Env: BUILD_DIR (default build, relative to the repo root), WSC_REGISTRY_BIN,
# WSC_WSNODE_BIN, WSC_CHROMIUM, WSC_SCREENSHOT_DIR, WSC_UPDATE_DOC_SCREENSHOT=1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_LIMIT_S=180   # each browser test bounds itself to 60 s; this catches a hung browser or npm

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
  echo "e2e: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

export WSC_CHROMIUM=${WSC_CHROMIUM:-/usr/bin/chromium}
need=()
[ -x "$WSC_CHROMIUM" ] || need+=(chromium fonts-dejavu-core)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v openssl >/dev/null || need+=(openssl)   # the TLS test's certificate
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "e2e: Node.js $(node --version) is too old: playwright-core needs Node.js 20 or newer" >&2
  exit 1
fi

# The client's own tests need nothing but Node.js: no cluster, no browser.
(cd "$ROOT/clients/js" && timeout --kill-after=5 60 node --test)

cd "$HERE"
npm install --no-audit --no-fund --loglevel=error

export WSC_REGISTRY_BIN=${WSC_REGISTRY_BIN:-$BUILD_DIR/registry/wscenter-registry}
export WSC_WSNODE_BIN=${WSC_WSNODE_BIN:-$BUILD_DIR/wsnode/wscenter-wsnode}
export WSC_SCREENSHOT_DIR=${WSC_SCREENSHOT_DIR:-$BUILD_DIR/e2e}
for bin in "$WSC_REGISTRY_BIN" "$WSC_WSNODE_BIN"; do
  [ -x "$bin" ] || { echo "e2e: $bin is missing: build first (scripts/build.sh)" >&2; exit 1; }
done

timeout --kill-after=5 "$RUN_LIMIT_S" node --test web-logic.test.mjs demo.test.mjs client.test.mjs tls.test.mjs
echo "e2e: screenshot in $WSC_SCREENSHOT_DIR/demo.png"
