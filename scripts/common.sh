# Shared by run-lab, run-tests and .ci/run: finds JDK 25 and installs the system packages podnet needs.
# Source it; it sets JAVA_HOME and PATH. Needs root for the package install.

# The major version of the JDK at $1: from its `release` file (every JDK image has one; reading it costs nothing,
# while starting a JVM to ask took 0.2-0.5 s of every `bin/podnet` start), else from the JVM itself.
podnet_jdk_version() {
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
  echo "$v"
}

podnet_find_jdk() {
  local candidates=("${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25*)
  local c v
  for c in "${candidates[@]}"; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$(podnet_jdk_version "$c")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$c"; export PATH="$JAVA_HOME/bin:$PATH"; return 0
    fi
  done
  echo "podnet: no JDK 25 or newer found. Install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 or set JAVA_HOME." >&2
  return 1
}

# The JVM flags of a long-running podnet command, shared by bin/podnet and the benchmarks that start the agent as a
# node runs it (bench/cni-add.sh; bench/agent-memory.sh goes through bin/podnet). Why each one, with numbers:
# bench/README.md "Agent memory" (agent) and bgp/README.md "Standalone mode" (bgp). User flags come after these.
podnet_jvm_opts() {
  case "${1:-}" in
    # heap: live data is a few MiB, so a small fixed young generation (each minor GC is short) and a cap that an
    # outlier cannot pass unnoticed (exit, the DaemonSet restarts it); C2 stays (the udp tunnel needs it). -Xms above
    # -Xmn: the AOT cache's archived heap objects go into the old generation at start (-Xms8m left it none and the
    # JVM refused the cache with "unrecoverable error", the agent did not start)
    agent) echo "-Xms12m -Xmx64m -Xmn8m -XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000 -XX:CICompilerCount=2 \
-XX:+ExitOnOutOfMemoryError" ;;
    # `podnet bgp` (route reflector): a small heap sized for ~700k routes from one peer; raise with -Xmx56m for ~1M
    bgp) echo "-Xms8m -Xmx36m -Xmn4m -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -Xss256k \
-XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=48m -XX:TrimNativeHeapInterval=2000 -XX:+ExitOnOutOfMemoryError" ;;
  esac
}

# Debian packages the build, the tests and the lab use (graphviz: `podnet lab graph` renders its DOT with it;
# curl: the AOT training run answers Docker's handshake).
PODNET_PACKAGES=(maven iproute2 iputils-ping nftables iptables etcd-server etcd-client bird2 gobgpd frr iperf3
  containernetworking-plugins busybox-static tcpdump procps socat openssl docker.io podman catatonit runc jq gcc
  graphviz curl)

podnet_install_packages() {
  local missing=() p
  for p in "${PODNET_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "podnet: missing packages ${missing[*]}; run as root so they can be installed" >&2; return 1
  fi
  echo "podnet: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q update >/dev/null
  apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null
}

podnet_setup() {
  podnet_find_jdk || exit 1
  podnet_install_packages || exit 1
  # Debian ships frr/bird/etcd daemons but we start our own, per test, by hand.
}
