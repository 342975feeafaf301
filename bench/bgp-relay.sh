#!/usr/bin/env bash
# Benchmark: BIRD -> relay -> BIRD with N static IPv4 routes; the relay is BIRD, then podnet (same run).
# Prints time from the relay's upstream session Established until the relay and the downstream BIRD hold all
# routes, the relay's RSS, and the podnet/BIRD ratios. Needs root (network namespaces) and bird2.
# Usage: bench/bgp-relay.sh [routes=500000] [podnet JVM flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench -am
exec "$JAVA_HOME/bin/java" -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.bgp.BgpRelayBench "$@"
