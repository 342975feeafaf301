#!/usr/bin/env bash
# Benchmark: many podnet speakers in one JVM over loopback. `mesh N` = full iBGP mesh (default 200),
# `rr N` = two route reflectors + N-2 clients (default 1000). Prints session-up time, time for one prefix to
# reach every speaker, heap and RSS. The full mesh needs ~2*N*(N-1) file descriptors: the limit is raised.
# Usage: bench/bgp-mesh.sh [mesh|rr] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench -am
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
echo "open-files limit: $(ulimit -n) (a full mesh of N needs about 2*N*(N-1))"
exec "$JAVA_HOME/bin/java" -Xss512k -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.bgp.MeshBench "$@"
