#!/usr/bin/env bash
# Brings up a Skiff control plane on this host, installing what it needs.
# Runs in the foreground; stop with Ctrl-C (SIGTERM/SIGINT shut down cleanly).
#   SKIFF_DATA_DIR  data directory (default /var/lib/skiff)
#   SKIFF_PORT      API port (default 6443)
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir="${SKIFF_DATA_DIR:-/var/lib/skiff}"
port="${SKIFF_PORT:-6443}"

scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

echo "skiff: starting the server; kubeconfig at ${data_dir}/kubeconfig.yaml"
echo "skiff: in another shell: export KUBECONFIG=${data_dir}/kubeconfig.yaml; kubectl get ns"
exec node cli/skiff.js server --data-dir "$data_dir" --port "$port"
