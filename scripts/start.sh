#!/usr/bin/env bash
# The README's first command: installs the gateway (on Node.js 24, brought along if the
# machine's node is older) and runs the demo — simulated registers, gateway, a first query.
# Arguments go to `xmeld-gateway demo` (e.g. --dvdv).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
ensure_node24

# npm ci when nothing is installed or the lock file changed since (npm's own copy of it).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/tsx src/cli/main.ts demo "$@"
