#!/usr/bin/env bash
# Benchmark: the agent's memory per mode (issue 17). For each mode, in a fresh throwaway network namespace (with a
# private etcd on its loopback where the mode needs one): starts the agent as `bin/podnet agent` does, waits until
# ready (start-to-ready time), adds PODS pods through the real CNI plugin (the C shim), idles, prints RSS, Java heap
# used/committed, metaspace, code cache, threads and the JVM's native memory summary (NMT); then PAIRS ADD/DEL
# pairs, idles, prints the same again (growth check). A table of every mode at the end. Root, gcc, etcd-server, curl.
# Usage: bench/agent-memory.sh [modes=single,vxlan,udp,docker,calico-bgp] [pods=50] [pairs=1000] [idleSeconds=60]
# Run it under `flock /tmp/podnet-bench.lock` (no two benchmarks at once).
# AGENT_MEM_OPTS: extra agent JVM flags (appended after the launcher's own, as PODNET_JAVA_OPTS is), e.g. to compare
# flags; AGENT_MEM_ARGS: extra `podnet agent` flags (e.g. --etcd-client grpc); AGENT_MEM_NMT=false runs the agent without NMT (RSS without NMT's own ~1 MiB; no breakdown);
# AGENT_MEM_CLASSES=true logs class loading and prints classes loaded per library; AGENT_MEM_BUILD=false skips the build;
# AGENT_MEM_HOME=DIR starts the agent (bin/podnet, cli/target, the CNI shim's source) of another built checkout, e.g. a
# worktree of main for a before/after (this checkout's benchmark drives it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
modes="${1:-single,vxlan,udp,docker,calico-bgp}"
pods="${2:-50}" pairs="${3:-1000}" idle="${4:-60}"
[ "${AGENT_MEM_BUILD:-true}" = false ] || mvn -B -q -ntp package -DskipTests -pl bench,cli -am
results="$(mktemp /tmp/pnam$$-results.XXXXXX)"
ns=""
cleanup() { [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null; rm -f "$results"; }
trap cleanup EXIT
i=0
for mode in ${modes//,/ }; do
  ns="pnam$$-$i"; i=$((i + 1))
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" "$JAVA_HOME/bin/java" -Dpodnet.home="${AGENT_MEM_HOME:-$PWD}" -Dpodnet.bench.netns="$ns" -Dpodnet.bench.agentOpts="${AGENT_MEM_OPTS:-}" \
    -Dpodnet.bench.agentArgs="${AGENT_MEM_ARGS:-}" \
    -Dpodnet.bench.nmt="${AGENT_MEM_NMT:-true}" -Dpodnet.bench.classes="${AGENT_MEM_CLASSES:-false}" \
    -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
    io.podnet.bench.agentmem.AgentMemoryBench "$mode" "$pods" "$pairs" "$idle" "$results"
  ip netns del "$ns"; ns=""
done
"$JAVA_HOME/bin/java" -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.agentmem.AgentMemoryBench summary "$results"
