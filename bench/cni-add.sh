#!/usr/bin/env bash
# Benchmark: CNI ADD/DEL latency, podnet (C shim -> agent JVM) vs Debian's reference bridge + host-local, same
# driver, same run, inside a throwaway network namespace (bridges, veths and pods never touch the host).
# Prints p50/p95 ADD and DEL over N sequential pods, wall time of P parallel ADDs, the ratios, and the
# agent-side time of each request. Needs root, gcc and containernetworking-plugins.
# Usage: bench/cni-add.sh [pods=100] [parallel=32] [rounds=2]
# CNI_BENCH_OPTS (JVM flags of the driver): -Dpodnet.bench.fsync=false sets podnet's ipam "fsync" (default true);
# the agent gets bin/podnet's JVM flags (scripts/common.sh podnet_jvm_opts agent; CNI_BENCH_LAUNCHER=old for the
# earlier -XX:+UseSerialGC alone); -Dpodnet.bench.warmup=N ADD/DEL pairs before measuring, for both implementations (default 50: the agent is a
# daemon, and for its first few hundred requests C2 compiles in the background on the same 2 vCPUs); -Dpodnet.bench.agentOpts="..." extra agent JVM flags (after the launcher's);
# -Dpodnet.bench.threads=true prints the agent's CPU per thread; -Dpodnet.bench.log=FILE keeps the timing log;
# -Dpodnet.bench.phases=true also logs each ADD's phases (a DEBUG line that costs the measured request ~0.5 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
fresh=""
if ! mvn -B -q -ntp package -DskipTests -pl bench,cli -am; then
  # Another module of the tree may be mid-edit. Fall back to the last packaged cli/bench jars, with freshly
  # compiled classes of the modules the CNI path runs (cni, ipam, workload, agent) and of this driver in front.
  [ -f cli/target/podnet-cli.jar ] && [ -f bench/target/podnet-bench-0.1.0-SNAPSHOT.jar ] || exit 1
  echo "cni-add.sh: full build failed; using the last cli/bench jars with fresh cni/ipam/workload/agent classes" >&2
  mvn -B -q -ntp compile -pl cni,ipam,workload,agent -am
  "$JAVA_HOME/bin/javac" -d bench/target/cniadd-classes bench/src/main/java/io/podnet/bench/cniadd/*.java
  fresh="$PWD/cni/target/classes:$PWD/ipam/target/classes:$PWD/workload/target/classes:$PWD/agent/target/classes:"
fi
ns="pnbench$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip -n "$ns" link set lo up
# the agent runs with bin/podnet's flags and malloc setting (CNI_BENCH_LAUNCHER=old: only -XX:+UseSerialGC, as before)
launcher_opts="$(podnet_jvm_opts agent)"
[ "${CNI_BENCH_LAUNCHER:-}" = old ] && launcher_opts="" || export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
ip netns exec "$ns" "$JAVA_HOME/bin/java" ${CNI_BENCH_OPTS:-} -Dpodnet.bench.launcherOpts="$launcher_opts" -Dpodnet.cli.cp="${fresh}$PWD/cli/target/podnet-cli.jar:$PWD/cli/target/lib/*" \
  -cp "${fresh:+bench/target/cniadd-classes:}bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.podnet.bench.cniadd.CniAddBench "$@"
