#!/usr/bin/env bash
# Installs n8n (pinned) and a Node 24 binary into a cache folder outside the repo, once.
# n8n 2.x needs Node >= 24 while the machine's node may be older; the npm package `node@24`
# ships that binary. Installs go to a temporary folder renamed into place, so an interrupted
# run never leaves a half-made cache behind.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_MAJOR="${N8N_NODE_MAJOR:-24}"
CACHE_ROOT="${AIC_CACHE_DIR:-$HOME/.cache/n8n-nodes-ai-company}"
TARGET="$CACHE_ROOT/n8n-$N8N_VERSION-node$NODE_MAJOR"

if [ -x "$TARGET/node_modules/.bin/n8n" ] && [ -x "$TARGET/node_modules/node/bin/node" ]; then
  echo "$TARGET"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/.install-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo '{"name":"aic-n8n-cache","private":true}' > package.json
# node@24 needs its install script (it pulls the platform binary package from the registry).
npm install --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >&2
# n8n's optional native parts try to download prebuilt binaries: skip scripts, rebuild sqlite3 only.
npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2
PATH="$WORK/node_modules/node/bin:$PATH" npm rebuild sqlite3 >&2
"$WORK/node_modules/node/bin/node" --version >&2
cd /
rm -rf "$TARGET"
mv "$WORK" "$TARGET"
trap - EXIT
echo "$TARGET"
