#!/usr/bin/env bash
# Type-checks scripts/lib/n8nInstance.js and scripts/run-local.js (strict, from their JSDoc) and
# regenerates scripts/lib/n8nInstance.d.ts,
# which the TypeScript tests import. Run after changing n8nInstance.js.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
npx tsc --ignoreConfig --allowJs --checkJs --strict --declaration --emitDeclarationOnly \
  --target es2022 --module node16 --moduleResolution node16 --types node --skipLibCheck \
  --outDir "$OUT" scripts/lib/n8nInstance.js
npx tsc --ignoreConfig --allowJs --checkJs --strict --noEmit \
  --target es2022 --module node16 --moduleResolution node16 --types node --skipLibCheck scripts/run-local.js
{
  echo '// Generated from the JSDoc of n8nInstance.js by scripts/lib/build-types.sh: do not edit.'
  cat "$OUT/n8nInstance.d.ts"
} > scripts/lib/n8nInstance.d.ts
echo "scripts/lib/n8nInstance.d.ts regenerated"
