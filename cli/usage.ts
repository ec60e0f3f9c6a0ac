/** Help texts for `skiff` and its commands (kept beside docs/cli.md). */
import { AGENT_DEFAULTS } from '../agent/config.js';
import { SERVER_DEFAULTS } from '../control-plane/config.js';

export const MAIN_USAGE = `Usage: skiff <command> [flags]

A lightweight, Kubernetes-compatible container orchestrator.

Commands:
  up         Run the control plane and a node in one process (the single-host default)
  server     Run the control plane (Kubernetes API over HTTPS)
  agent      Run a node that joins a server (kubelet on containerd)
  images     Import image tarballs into the node's runtime (airgap)
  sim        Run simulated nodes against a cluster (for tests and scale checks)
  version    Print the Skiff and Kubernetes versions

Run 'skiff <command> --help' for a command's flags.
`;

export const SERVER_USAGE = `Usage: skiff server --data-dir DIR [flags]

Runs the Kubernetes API server over HTTPS, storing state in SQLite (default)
or etcd. On first start it creates a cluster CA and certificates under
DIR/tls and writes an admin kubeconfig.

Flags:
  --data-dir DIR                   State directory (required): certificates, database, kubeconfig
  --port N                         HTTPS port (default ${SERVER_DEFAULTS.port}; 0 picks a free port)
  --bind-address IP                Address to listen on (default ${SERVER_DEFAULTS.bindAddress})
  --tls-san NAME                   Extra DNS name or IP for the serving certificate (repeatable)
  --datastore URL                  sqlite:///path/state.db or etcd://host:port[,host:port...]
                                   (default sqlite://DIR/state.db)
  --write-kubeconfig FILE          Where to write the admin kubeconfig (default DIR/kubeconfig.yaml)
  --service-cidr CIDR              IPv4 range for Service cluster IPs (default ${SERVER_DEFAULTS.serviceCidr})
  --service-node-port-range RANGE  Range for NodePort services (default ${SERVER_DEFAULTS.serviceNodePortRange})
  --cluster-cidr CIDR              IPv4 pod network split into per-node podCIDRs (default ${SERVER_DEFAULTS.clusterCidr})
  --node-cidr-mask-size N          Prefix length of each node's podCIDR (default ${SERVER_DEFAULTS.nodeCidrMaskSize})
  --node-monitor-grace-period D    How long a node's Lease may go unrenewed before it is
                                   marked Unknown (default ${SERVER_DEFAULTS.nodeMonitorGracePeriod})
  --leader-elect=BOOL              Run the scheduler and controllers only while holding their
                                   Leases in kube-system, so several servers can share etcd (default true)
  --leader-elect-lease-duration D  (default ${SERVER_DEFAULTS.leaderElectLeaseDuration})
  --leader-elect-renew-deadline D  (default ${SERVER_DEFAULTS.leaderElectRenewDeadline})
  --leader-elect-retry-period D    (default ${SERVER_DEFAULTS.leaderElectRetryPeriod})
  --terminated-pod-gc-threshold N  Finished pods kept before the oldest are deleted (default ${SERVER_DEFAULTS.terminatedPodGcThreshold}; 0 disables)
  --disable-scheduler              Do not run the scheduler
  --disable-controller-manager     Do not run the controllers
  -h, --help                       Show this help

Durations are Go-style: 40s, 1m30s, 500ms.

Static bearer tokens are read from DIR/tokens.csv (token,user,uid,"group1,group2").
`;

export const SIM_USAGE = `Usage: skiff sim --kubeconfig FILE --nodes N [flags]

Runs N simulated nodes in one process until stopped (SIGINT/SIGTERM): each
registers its Node, reports Ready, renews its Lease every 10 s, and runs
the pods bound to it (they go Running with an IP, nothing executes).

Flags:
  --kubeconfig FILE   Kubeconfig of the cluster (required)
  --nodes N           Number of nodes (required)
  --cpu Q             CPU capacity per node (default 8)
  --memory Q          Memory capacity per node (default 32Gi)
  --max-pods N        Pod capacity per node (default 110)
  --prefix P          Node name prefix; nodes are P0, P1, ... (default sim-)
  -h, --help          Show this help

Pod annotation sim.skiff.dev/exit-after: "<seconds>" ends its containers
(exit code 0) after that long; node annotation sim.skiff.dev/stopped: "true"
halts the node's heartbeats and pod updates until removed.
`;

const AGENT_FLAGS = `  --node-name NAME                 Node name (default: the hostname, lowercased)
  --node-ip IP                     Address the node reports and serves on (default: the first
                                   non-loopback IPv4 address)
  --kubelet-port N                 The agent's HTTPS port for logs, exec, port-forward and stats
                                   (default ${AGENT_DEFAULTS.kubeletPort})
  --system-reserved LIST           Resources held back from pods, e.g. cpu=250m,memory=512Mi
  --container-runtime-endpoint URL unix:///path/to/containerd.sock of a CRI runtime to use
                                   (default: Skiff starts its own containerd under DIR/agent)
  --pod-cidr CIDR                  This node's pod network when the server assigns none
  --cluster-dns IP[,IP]            Nameserver pods with dnsPolicy ClusterFirst use (default ${AGENT_DEFAULTS.clusterDns})
  --cluster-domain NAME            The cluster's DNS domain (default ${AGENT_DEFAULTS.clusterDomain})
  --max-pods N                     Pod capacity of the node (default ${AGENT_DEFAULTS.maxPods})
  --cgroup-root /NAME              Parent cgroup of the pods' cgroups (default ${AGENT_DEFAULTS.cgroupRoot})
`;

export const AGENT_USAGE = `Usage: skiff agent --server https://HOST:PORT --token TOKEN --data-dir DIR [flags]

Joins a cluster as a node: obtains credentials for system:node:NAME with
the join token the server wrote to its DIR/node-token, registers the Node,
and runs the pods bound to it on containerd over CRI. Tarballs in
DIR/agent/images are imported before the node reports Ready. SIGTERM stops
the agent but leaves the containers running; the next start adopts them.

Flags:
  --server URL                     The API server (required)
  --token TOKEN                    The join token from the server's DIR/node-token (required)
  --data-dir DIR                   State directory (required)
${AGENT_FLAGS}  -h, --help                       Show this help
`;

export const UP_USAGE = `Usage: skiff up --data-dir DIR [flags]

Runs the control plane and a node in one process: the single-host
default. Takes every flag of 'skiff server' and every flag of 'skiff agent'
except --server and --token (the node joins this server).

Server flags: see 'skiff server --help'.
Agent flags:
${AGENT_FLAGS}`;
