#!/usr/bin/env bash
# Benchmark: BIRD -> relay -> BIRD with N static IPv4 routes; the relay is BIRD or podnet, alternately, in the
# same run. Both are measured the same way from outside: from the upstream BIRD reporting the session
# Established until the downstream BIRD reports all N routes (birdc, polled identically), plus the relay's
# RSS and peak RSS; medians, ranges and podnet/BIRD ratios. Needs root (network namespaces) and bird2.
# Run it alone: flock /tmp/podnet-bench.lock bench/bgp-relay.sh
# Usage: bench/bgp-relay.sh [routes=500000] [runs=3] [podnet JVM flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench -am
exec "$JAVA_HOME/bin/java" -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.bgp.BgpRelayBench "$@"
