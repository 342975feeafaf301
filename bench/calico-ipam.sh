#!/usr/bin/env bash
# Benchmark: CNI ADD/DEL through the agent with podnet-calico-ipam (real etcd, started here) vs podnet's local IPAM,
# same main plugin (reference bridge), same agent, same run; then allocation throughput of 1..5 nodes at once.
# Runs inside a throwaway network namespace. Needs root, gcc, etcd-server and containernetworking-plugins.
# Usage (serialised with the other benchmarks): flock /tmp/podnet-bench.lock bench/calico-ipam.sh [pods=100] [rounds=2] [allocsPerNode=300]
# CNI_BENCH_OPTS: JVM flags of the driver, e.g. -Dpodnet.bench.warmup=N (default 50 ADD/DEL pairs per side).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench,cli -am
ns="pnbenchc$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" "$JAVA_HOME/bin/java" ${CNI_BENCH_OPTS:-} -Dpodnet.cli.cp="$PWD/cli/target/podnet-cli.jar:$PWD/cli/target/lib/*" \
  -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.podnet.bench.cniadd.CalicoIpamBench "$@"
