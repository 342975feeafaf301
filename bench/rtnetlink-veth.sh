#!/usr/bin/env bash
# Benchmark: create+delete N veth pairs (peer in another netns), podnet rtnetlink vs `ip -batch`. Root.
# Usage: bench/rtnetlink-veth.sh [pairs=1000] [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp install -DskipTests -pl bench -am
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.rtnetlink.VethBench "$@"
