#!/usr/bin/env bash
# Trains the agent's AOT cache (JDK 25, JEP 483/514/515): one run of `bin/podnet agent` with -XX:AOTCacheOutput, in a
# throwaway network namespace with a private etcd, the overlay (vxlan) and the Docker driver on, while pods are added
# and deleted through the CNI plugin and the driver answers Docker's handshake; when the agent stops, the JVM writes
# the classes it loaded and linked (and their profiles) to cli/target/podnet-agent.aot. bin/podnet then starts
# `podnet agent` with -XX:AOTCache=that file: faster to ready and less anonymous memory (bench/README.md "AOT cache").
# The cache is only valid for the same JDK, jars and JVM flags: rerun after every build (run-lab does); a stale
# cache is ignored by the JVM (the agent then starts as without one). Root, etcd-server, gcc, curl.
# Exit status: 0 cache written; 1 podnet failed (the agent died, a CNI or Docker driver call failed); 2 skipped for
# a reason of the machine, not of podnet (no namespace, etcd did not come up, the JVM wrote no cache, the agent not
# ready within 120 s under load): ./run-tests and ./run-lab then go on without a cache.
# Usage: scripts/aot-train.sh [output=cli/target/podnet-agent.aot]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
podnet_find_jdk
out="$(readlink -f "${1:-cli/target/podnet-agent.aot}")"
[ -f cli/target/podnet-cli.jar ] || { echo "aot-train: build first (mvn -q package -DskipTests)" >&2; exit 1; }
skip() { echo "aot-train: no AOT cache made, $* (the agent starts without one)" >&2; exit 2; }
fail() { echo "aot-train: $*" >&2; exit 1; }
# a cache of an earlier build is stale: gone before anything can stop this run
rm -f "$out"
tag="pnaot$$"
dir="$(mktemp -d "/tmp/$tag.XXXXXX")"
ns="$tag"
pods=()
etcd_pid="" agent_pid=""
cleanup() {
  set +e
  [ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null
  [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null
  for p in "${pods[@]}"; do ip netns del "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }

{ ip netns add "$ns" && ip -n "$ns" link set lo up && ip -n "$ns" link add eth0 type veth peer name eth0peer &&
  ip -n "$ns" address add 10.99.0.1/24 dev eth0 && ip -n "$ns" link set eth0 up && ip -n "$ns" link set eth0peer up; } ||
  skip "no throwaway network namespace (root?)"
command -v etcd >/dev/null && command -v gcc >/dev/null && command -v curl >/dev/null || skip "etcd, gcc or curl missing"
# started directly (not through a function), so $! is the PID of the process itself (ip netns exec execs it)
ip netns exec "$ns" etcd --name "$tag" --data-dir "$dir/etcd" --listen-client-urls http://127.0.0.1:2379 \
  --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 \
  --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster "$tag=http://127.0.0.1:2380" \
  --heartbeat-interval 10 --election-timeout 100 > "$dir/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 600); do in_ns etcdctl --endpoints=http://127.0.0.1:2379 endpoint health >/dev/null 2>&1 && break; sleep 0.05; done
in_ns etcdctl --endpoints=http://127.0.0.1:2379 put /coreos.com/network/config \
  '{"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan","VNI":1,"Port":8472}}' >/dev/null ||
  skip "etcd did not come up in 30 s ($(tail -1 "$dir/etcd.log"))"

mkdir -p "$dir/bin" "$dir/plugins"
gcc -O2 -o "$dir/bin/podnet" cni/src/main/c/podnet-cni.c || skip "gcc could not build the CNI shim"
ln -s podnet "$dir/bin/podnet-flannel"; ln -s podnet "$dir/bin/podnet-ipam"
# bin/podnet adds the agent's own flags: the cache is made with exactly the flags it will be used with
ip netns exec "$ns" env PODNET_JAVA_OPTS="-XX:AOTCacheOutput=$out" bin/podnet agent --node-name aot --state-dir "$dir/state" \
  --cni-socket "$dir/cni.sock" --etcd-endpoints http://127.0.0.1:2379 --overlay --iface eth0 --public-ip 10.99.0.1 \
  --subnet-file "$dir/subnet.env" --docker --docker-socket "$dir/plugins/podnet.sock" > "$dir/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1200); do grep -q " ready (CNI socket " "$dir/agent.log" && break; kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
if ! grep -q " ready (CNI socket " "$dir/agent.log"; then
  tail -20 "$dir/agent.log" >&2
  kill -0 "$agent_pid" 2>/dev/null && skip "the agent was not ready within 120 s (a loaded machine?)"
  fail "the agent exited before it was ready (log above)"
fi

cnm() { in_ns curl -sS --fail-with-body --unix-socket "$dir/plugins/podnet.sock" -X POST --data "$2" "http://localhost/$1" >/dev/null ||
  fail "Docker driver call $1 failed"; }
cnm Plugin.Activate ''
cnm NetworkDriver.GetCapabilities ''
cnm IpamDriver.GetCapabilities ''
cnm IpamDriver.GetDefaultAddressSpaces ''
cni() {  # cni COMMAND TYPE CONTAINER NETNS CONFIG
  printf '%s' "$5" | in_ns env CNI_COMMAND="$1" CNI_CONTAINERID="$3" CNI_NETNS="/run/netns/$4" CNI_IFNAME=eth0 \
    CNI_PATH="$dir/bin" PODNET_AGENT_SOCKET="$dir/cni.sock" "$dir/bin/$2" >/dev/null || fail "CNI $1 of $3 through $2 failed"
}
flannel='{"cniVersion":"1.0.0","name":"aot","type":"podnet-flannel","subnetFile":"'"$dir/subnet.env"'","dataDir":"'"$dir/flannel-cni"'"}'
bridge='{"cniVersion":"1.0.0","name":"aotb","type":"podnet","bridge":"aot0","isGateway":true,"ipMasq":true,"ipam":{"type":"podnet-ipam","ranges":[[{"subnet":"10.91.0.0/24"}]]}}'
for i in $(seq 0 7); do pods+=("$tag-p$i"); ip netns add "$tag-p$i"; done
for round in $(seq 0 24); do
  for i in 0 1 2 3; do cni ADD podnet-flannel "f$round-$i" "$tag-p$i" "$flannel"; cni ADD podnet "b$round-$i" "$tag-p$((i + 4))" "$bridge"; done
  for i in 0 1 2 3; do cni DEL podnet-flannel "f$round-$i" "$tag-p$i" "$flannel"; cni DEL podnet "b$round-$i" "$tag-p$((i + 4))" "$bridge"; done
done
kill -TERM "$agent_pid"
# the JVM assembles the cache on its way out (a child JVM; 10-60 s on 2 vCPUs)
wait "$agent_pid" || true
agent_pid=""
[ -s "$out" ] || { grep -v 'warning\]\[aot' "$dir/agent.log" | tail -20 >&2; skip "the JVM wrote no cache (log above)"; }
echo "aot-train: $(du -h "$out" | cut -f1) AOT cache for \`podnet agent\` at $out"
