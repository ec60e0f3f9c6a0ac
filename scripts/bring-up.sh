#!/usr/bin/env bash
# Brings up a single-host Skiff cluster (control plane + node) on this
# host, installing what it needs: Debian's containerd, runc, CNI plugins
# and iptables, the npm packages, the build (which also builds the pause
# sandbox image). Runs `skiff up` in the foreground; stop with Ctrl-C
# (SIGTERM/SIGINT shut down cleanly and leave the pods' containers running).
#   SKIFF_DATA_DIR  data directory (default /var/lib/skiff)
#   SKIFF_PORT      API port (default 6443)
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir="${SKIFF_DATA_DIR:-/var/lib/skiff}"
port="${SKIFF_PORT:-6443}"

scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

echo "skiff: starting; kubeconfig at ${data_dir}/kubeconfig.yaml"
echo "skiff: in another shell: export KUBECONFIG=${data_dir}/kubeconfig.yaml; kubectl get nodes"
exec ./cli/skiff.js up --data-dir "$data_dir" --port "$port"
