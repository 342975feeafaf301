#!/usr/bin/env bash
# Benchmark: compile N policies over M local endpoints into nft, apply with nft -f in a throwaway namespace,
# then one policy change and one label change as diffs (baseline: full table replacement). Root.
# Usage: bench/policy.sh [policies=1000] [localEndpoints=1000] [rounds=5] [namespaces=10]
# Run it under the shared lock: flock /tmp/podnet-bench.lock bench/policy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench -am
uptime
exec "$JAVA_HOME/bin/java" -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.policy.PolicyBench "$@"
