#!/usr/bin/env bash
# Installs what the tests need on a fresh machine and runs them: the README's test command,
# and what CI runs (.ci/run). Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages of the interop tests and oracles (other stacks: xmlsec1, xmllint, zeep).
need=()
command -v xmlsec1 >/dev/null || need+=(xmlsec1)
command -v xmllint >/dev/null || need+=(libxml2-utils)
/usr/bin/python3 -c 'import zeep, xmlsec, lxml' 2>/dev/null || need+=(python3-zeep python3-xmlsec python3-lxml)
[ -x /usr/bin/chromium ] || need+=(chromium)   # the console's browser test (playwright-core drives it)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Services of the scale-out path (Redis for BullMQ, PostgreSQL for the protocol store).
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if command -v pg_ctlcluster >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# Node.js 24 on PATH (brought along into .tools/node if the machine's node is older), then
# install and test with it: npm itself and every script it runs take the node on PATH.
source scripts/node24.sh
ensure_node24
npm ci --no-audit --no-fund
npm test
