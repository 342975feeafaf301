#!/usr/bin/env bash
# Benchmark: pod-to-pod TCP throughput across nodes through each overlay backend (vxlan, host-gw, udp),
# against node-to-node on the bare underlay as the reference, measured in the same run with iperf3.
# Usage (root): bench/overlay-iperf.sh [seconds=5]. Builds podnet, brings up one 2-node lab per backend.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_setup
secs=${1:-5}
mvn -B -ntp -q install -DskipTests
name=bench$$
measure() { # $1 client ns, $2 server ns, $3 server ip -> Gbit/s
  ip netns exec "$2" iperf3 -s -1 -D -B "$3" >/dev/null 2>&1
  sleep 0.5
  ip netns exec "$1" iperf3 -c "$3" -t "$secs" -J | jq '.end.sum_received.bits_per_second / 1e9'
}
declare -A result
bare=""
for mode in vxlan host-gw udp; do
  bin/podnet lab down --name "$name" >/dev/null 2>&1 || true
  bin/podnet lab up --name "$name" --nodes 2 --pods 1 --mode "$mode" >/dev/null
  p=pn$name
  ip1=$(ip -n $p-n2-p1 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')
  result[$mode]=$(measure $p-n1-p1 $p-n2-p1 "$ip1")
  if [ -z "$bare" ]; then bare=$(measure $p-n1 $p-n2 192.168.200.2); fi
  bin/podnet lab down --name "$name" >/dev/null
done
printf '%-10s %10s %8s\n' path Gbit/s ratio
printf '%-10s %10.2f %8s\n' bare "$bare" 1.00
for mode in host-gw vxlan udp; do
  printf '%-10s %10.2f %8.2f\n' "$mode" "${result[$mode]}" "$(echo "${result[$mode]} / $bare" | bc -l)"
done
printf 'udp/vxlan %.2f (target >= 0.7; flannel reached ~0.6)\n' "$(echo "${result[udp]} / ${result[vxlan]}" | bc -l)"
