#!/usr/bin/env bash
# Installs n8n (pinned) and a Node 24 binary into a cache folder outside the repo, once, and prints
# that folder on stdout (progress goes to stderr).
# n8n 2.x needs Node >= 24 while the machine's node may be older; the npm package `node@24`
# ships that binary. Installs go to a temporary folder renamed into place, so an interrupted
# run never leaves a half-made cache behind; a lock keeps two runs from installing at once.
#
#   N8N_VERSION     default 2.41.1
#   N8N_NODE_MAJOR  default 24
#   AIC_CACHE_DIR   default ~/.cache/n8n-nodes-ai-company
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_MAJOR="${N8N_NODE_MAJOR:-24}"
CACHE_ROOT="${AIC_CACHE_DIR:-$HOME/.cache/n8n-nodes-ai-company}"
TARGET="$CACHE_ROOT/n8n-$N8N_VERSION-node$NODE_MAJOR"

complete() {
  [ -x "$TARGET/node_modules/node/bin/node" ] && [ -f "$TARGET/node_modules/n8n/bin/n8n" ]
}

if complete; then
  echo "$TARGET"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.install.lock"
  if ! flock -n 9; then
    echo "Another n8n install into $CACHE_ROOT is running; waiting for it..." >&2
    flock 9
  fi
  if complete; then
    echo "$TARGET"
    exit 0
  fi
  # Under the lock, any other temporary install folder is left over from an interrupted run.
  find "$CACHE_ROOT" -maxdepth 1 -name '.install-*' -type d -exec rm -rf {} + 2>/dev/null || true
fi

WORK="$(mktemp -d "$CACHE_ROOT/.install-XXXXXX")"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo '{"name":"aic-n8n-cache","private":true}' > package.json
echo "Installing n8n $N8N_VERSION with Node $NODE_MAJOR into $TARGET (about 5 minutes and 2.8 GB, once)..." >&2
# node@24 needs its install script (it pulls the platform binary package from the registry).
npm install --no-audit --no-fund --loglevel=error --ignore-scripts=false "node@$NODE_MAJOR" >&2
# n8n's optional native parts try to download prebuilt binaries: skip scripts, rebuild sqlite3 only.
npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2
PATH="$WORK/node_modules/node/bin:$PATH" npm rebuild --ignore-scripts=false sqlite3 >&2
echo "Node $("$WORK/node_modules/node/bin/node" --version), n8n $N8N_VERSION" >&2
cd /
rm -rf "$TARGET"
mv "$WORK" "$TARGET"
trap - EXIT
echo "$TARGET"
