#!/usr/bin/env bash
# Captures real BGP sessions for the codec fixtures: BIRD 2 <-> GoBGP (eBGP, IPv4+IPv6) and BIRD as route
# reflector for FRR and GoBGP (iBGP), in throwaway namespaces over veth, tcpdump on port 179.
# Usage: bgp/scripts/capture-lab.sh OUTDIR [rr]   (root; everything is removed on exit)
# With "rr", GoBGP is an iBGP route-reflector client of BIRD too, so its routes reach FRR reflected
# (ORIGINATOR_ID, CLUSTER_LIST).
set -euo pipefail
OUT=${1:?outdir}; mkdir -p "$OUT"
MODE=${2:-ebgp}
GAS=65002; GRR=""
if [ "$MODE" = rr ]; then GAS=65001; GRR="rr client; rr cluster id 1.1.1.1;"; fi
P=pncap$$; W=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f $W/bird.pid ] && kill "$(cat $W/bird.pid)" 2>/dev/null || true
  [ -f $W/bgpd.pid ] && kill "$(cat $W/bgpd.pid)" 2>/dev/null || true
  sleep 0.5
  for n in a b c sw; do ip netns del $P$n 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
ip netns add ${P}sw; ip -n ${P}sw link add br0 type bridge; ip -n ${P}sw link set br0 up
i=0
for n in a b c; do
  i=$((i+1)); ip netns add $P$n; ip -n $P$n link set lo up
  ip -n $P$n link add eth0 type veth peer name p$n netns ${P}sw
  ip -n ${P}sw link set p$n master br0 up
  ip -n $P$n addr add 10.77.0.$i/24 dev eth0; ip -n $P$n addr add fd77::$i/64 dev eth0 nodad
  ip -n $P$n link set eth0 up
done
cat > $W/bird.conf <<B
log "$W/bird.log" all;
router id 10.77.0.1;
protocol device {}
protocol static s4 { ipv4; route 10.244.1.0/24 via 10.77.0.1; route 10.244.2.0/25 via 10.77.0.1; route 192.0.2.0/24 blackhole; }
protocol static s6 { ipv6; route fd00:244:1::/64 via fd77::1; route fd00:244:2::/48 blackhole; }
filter tagit { bgp_community.add((65001,100)); bgp_med = 50; accept; }
protocol bgp gobgp {
  local 10.77.0.1 as 65001; neighbor 10.77.0.2 as $GAS; connect delay time 1; $GRR
  ipv4 { import all; export filter tagit; }; ipv6 { import all; export filter tagit; next hop address fd77::1; };
}
protocol bgp frr {
  local 10.77.0.1 as 65001; neighbor 10.77.0.3 as 65001; connect delay time 1; rr client; rr cluster id 1.1.1.1;
  ipv4 { import all; export all; next hop self; }; ipv6 { import all; export all; next hop self; };
}
B
cat > $W/gobgpd.toml <<G
[global.config]
  as = $GAS
  router-id = "10.77.0.2"
  port = 179
  local-address-list = ["10.77.0.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.77.0.1"
    peer-as = 65001
  [neighbors.transport.config]
    local-address = "10.77.0.2"
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
G
cat > $W/bgpd.conf <<F
hostname cap-frr
log file $W/bgpd.log
router bgp 65001
 bgp router-id 10.77.0.3
 no bgp network import-check
 no bgp ebgp-requires-policy
 neighbor 10.77.0.1 remote-as 65001
 neighbor 10.77.0.1 timers connect 1
 address-family ipv4 unicast
  network 10.244.3.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.77.0.1 activate
  network fd00:244:3::/64
 exit-address-family
F
chmod 755 $W
ip netns exec ${P}a tcpdump -i eth0 -U -s 0 -w $OUT/lab.pcap 'tcp port 179' >/dev/null 2>&1 & PIDS+=($!)
sleep 1
ip netns exec ${P}a bird -c $W/bird.conf -s $W/bird.ctl -P $W/bird.pid
ip netns exec ${P}b setsid gobgpd -f $W/gobgpd.toml -p --api-hosts unix://$W/gobgpd.sock --pprof-disable > $W/gobgpd.log 2>&1 < /dev/null & PIDS+=($!)
ip netns exec ${P}c /usr/lib/frr/bgpd -d -f $W/bgpd.conf -Z -S -n -u root -g root -i $W/bgpd.pid --vty_socket $W -P 0 -l 10.77.0.3
sleep 4
gobgp --target unix://$W/gobgpd.sock global rib add -a ipv4 10.244.9.0/24 origin egp nexthop 10.77.0.2 community 65002:7 aggregator 65002:10.77.0.2
gobgp --target unix://$W/gobgpd.sock global rib add -a ipv4 10.244.10.0/24 nexthop 10.77.0.2 med 20
gobgp --target unix://$W/gobgpd.sock global rib add -a ipv6 fd00:244:9::/64 nexthop fd77::2
sleep 2
gobgp --target unix://$W/gobgpd.sock global rib del -a ipv4 10.244.9.0/24
sleep 2
birdc -s $W/bird.ctl show route all > $OUT/bird-routes.txt
birdc -s $W/bird.ctl down >/dev/null || true
sleep 1
