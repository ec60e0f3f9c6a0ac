#!/usr/bin/env bash
# Installs the Debian packages Skiff and its tests use, if missing.
# Idempotent; needs root. kubectl itself is expected on PATH already.
#   etcd-server, etcd-client    the etcd datastore and its test suites
#   gcc                         builds the static pause binary of the sandbox image
#   containerd, runc, containernetworking-plugins, iptables
#                               the node runtime `skiff up` / `skiff agent` drive
#   busybox-static              the test image's userland
#   docker-registry, skopeo, apache2-utils
#                               a local registry for pull tests (htpasswd for auth)
#   iproute2                    network namespaces for multi-node tests
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v ip >/dev/null 2>&1 || need+=(iproute2)

if [ "${#need[@]}" -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
