#!/usr/bin/env python3
"""Regenerates the rtnetlink byte fixtures from real iproute2 traffic.

Each fixture runs an iproute2 command under `strace -e write=all -e read=all` inside a throwaway netns and
keeps one netlink datagram it sent (sendmsg) or received (recvmsg). Run as root:
    python3 capture.py            # rewrites rtnetlink/*.hex
"""
import os, re, subprocess, sys

NS = "pncap%d" % os.getpid()
KERNEL = os.uname().release
IPV = subprocess.run(["ip", "-V"], capture_output=True, text=True).stdout.strip()

def sh(*cmd, check=True):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd), capture_output=True, text=True, check=check)

def traced(cmd):
    """Runs cmd in the netns under strace; returns [(direction, bytes)] for every netlink datagram."""
    r = subprocess.run(["ip", "netns", "exec", NS, "strace", "-e", "trace=sendmsg,recvmsg", "-e", "write=all",
                        "-e", "read=all"] + cmd, capture_output=True, text=True)
    out, cur = [], None
    for line in r.stderr.splitlines():
        if line.startswith("sendmsg(") or line.startswith("recvmsg("):
            cur = ["send" if line.startswith("send") else "recv", bytearray()]
            out.append(cur)
        m = re.match(r"\s*\| [0-9a-f]{5}  (.{49})", line)
        if m and cur is not None:
            cur[1] += bytes.fromhex(re.sub(r"[^0-9a-f]", "", m.group(1)))
    return [(d, bytes(b)) for d, b in out if b]

def write(name, provenance, data):
    lines = ["# " + provenance, "# kernel %s, %s; captured with strace -e write/read=all" % (KERNEL, IPV)]
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        lines.append(" ".join("%02x" % b for b in chunk).ljust(48) + "  # %04x" % off)
    with open(os.path.join(os.path.dirname(__file__), "rtnetlink", name), "w") as f:
        f.write("\n".join(lines) + "\n")

def pick(msgs, direction, nltype, index=0):
    found = [b for d, b in msgs if d == direction and int.from_bytes(b[4:6], "little") == nltype]
    return found[index]

def main():
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        sh("ip", "link", "set", "lo", "up")
        cmd = ["ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "8472", "local", "10.99.0.1", "nolearning"]
        m = traced(cmd)
        write("link-add-vxlan-request.hex", "RTM_NEWLINK request sent by `" + " ".join(cmd) + "`", pick(m, "send", 16))
        write("ack-capped.hex", "NLMSG_ERROR(0) ACK reply to `" + " ".join(cmd) + "` (NLM_F_CAPPED)", pick(m, "recv", 2, -1))
        m = traced(cmd)
        write("error-eexist.hex", "NLMSG_ERROR reply to a second `" + " ".join(cmd) + "`", pick(m, "recv", 2, -1))
        sh("ip", "link", "add", "v0", "mtu", "1400", "address", "02:00:00:00:00:01", "type", "veth", "peer", "name", "v0p")
        cmd = ["ip", "link", "set", "v0", "mtu", "10"]
        m = traced(cmd)
        write("error-einval-extack.hex", "NLMSG_ERROR with extended ack, reply to `" + " ".join(cmd) + "`", pick(m, "recv", 2, -1))
        cmd = ["ip", "-d", "link", "show", "dev", "vx0"]
        m = traced(cmd)
        write("link-get-reply-vxlan.hex", "RTM_NEWLINK reply to `" + " ".join(cmd) + "`", pick(m, "recv", 16, 0))
        cmd = ["ip", "-d", "link", "show", "dev", "v0"]
        m = traced(cmd)
        write("link-get-reply-veth.hex", "RTM_NEWLINK reply to `" + " ".join(cmd) + "`", pick(m, "recv", 16, 0))
        sh("ip", "link", "set", "v0", "up"); sh("ip", "link", "set", "v0p", "up")
        cmd = ["ip", "addr", "add", "10.1.0.2/24", "dev", "v0"]
        m = traced(cmd)
        write("addr-add-request.hex", "RTM_NEWADDR request sent by `" + " ".join(cmd) + "`", pick(m, "send", 20))
        cmd = ["ip", "route", "add", "10.20.0.0/16", "via", "10.1.0.1", "dev", "v0", "proto", "98", "metric", "50", "mtu", "1400"]
        m = traced(cmd)
        write("route-add-request.hex", "RTM_NEWROUTE request sent by `" + " ".join(cmd) + "`", pick(m, "send", 24))
        cmd = ["ip", "route", "show", "10.20.0.0/16"]
        m = traced(cmd)
        write("route-dump-reply.hex", "RTM_NEWROUTE dump reply datagram to `" + " ".join(cmd) + "` (ends before NLMSG_DONE)",
              pick(m, "recv", 24, 0))
        cmd = ["ip", "route", "del", "10.99.0.0/24"]
        m = traced(cmd)
        write("error-esrch-route-del.hex", "NLMSG_ERROR reply to `" + " ".join(cmd) + "`", pick(m, "recv", 2, -1))
        cmd = ["ip", "neigh", "replace", "10.5.1.0", "lladdr", "02:11:22:33:44:55", "dev", "v0", "nud", "permanent"]
        m = traced(cmd)
        write("neigh-replace-request.hex", "RTM_NEWNEIGH request sent by `" + " ".join(cmd) + "`", pick(m, "send", 28))
        cmd = ["bridge", "fdb", "append", "0a:00:00:00:00:01", "dev", "vx0", "dst", "10.99.0.2", "self", "permanent"]
        m = traced(cmd)
        write("fdb-append-request.hex", "RTM_NEWNEIGH (AF_BRIDGE) request sent by `" + " ".join(cmd) + "`", pick(m, "send", 28))
    finally:
        subprocess.run(["ip", "netns", "del", NS])

if __name__ == "__main__":
    main()
