#!/usr/bin/env bash
# Benchmark: iperf3 TCP between two namespaces through podnet's udp backend (flannel0 TUN + UdpTunnel), with TUN
# offloads on (udp) and off (udp-plain), vs a kernel vxlan device and the
# bare veth underlay, same run; prints both and the ratio. Root; needs iperf3.
# Usage: bench/udp-throughput.sh [seconds=5] [rounds=3] [batch=64] [streams=1] [modes=veth,vxlan,udp,udp-plain]
# UDP_BENCH_OPTS: JVM flags of the driver, which runs the tunnel; UDP_BENCH_OPTS=agent gives it the agent's own
# (scripts/common.sh podnet_jvm_opts agent), to see what the agent's flags do to the tunnel.
# The driver lives in overlay's test sources (io.podnet.overlay.udp.UdpThroughputDriver) because the bench
# module does not depend on overlay yet.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
cp_file=overlay/target/udp-bench.classpath
mvn -B -q -ntp -pl overlay -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
opts="${UDP_BENCH_OPTS:-}"
[ "$opts" = agent ] && opts="-XX:+UseSerialGC $(podnet_jvm_opts agent)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $opts \
  -cp "overlay/target/classes:overlay/target/test-classes:$(cat "$cp_file")" \
  io.podnet.overlay.udp.UdpThroughputDriver "$@"
