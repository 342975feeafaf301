#!/usr/bin/env bash
# Benchmark: puts/s and CAS/s through podnet's etcd Datastore (--client=grpc: EtcdDatastore on jetcd, the default;
# --client=http: EtcdHttpDatastore on etcd's JSON gateway) vs a raw jetcd client loop, on a throwaway etcd
# (random loopback ports, tmpfs data dir) that the driver starts and stops itself.
# Usage: bench/datastore.sh [opsPerThread=1000] [threads=1,16] [rounds=9] [--client=grpc|http] [--check-perf[=s|m|l]]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
mvn -B -q -ntp package -DskipTests -pl bench -am
exec "$JAVA_HOME/bin/java" -cp "bench/target/podnet-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.podnet.bench.datastore.DatastoreBench "$@"
