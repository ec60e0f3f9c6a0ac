#!/usr/bin/env bash
# Installs the Debian packages Skiff and its tests use, if missing.
# Idempotent; needs root. kubectl itself is expected on PATH already.
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v gcc >/dev/null 2>&1 || need+=(gcc)

if [ "${#need[@]}" -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
