#!/usr/bin/env python3
"""Splits the TCP port-179 streams of a pcap into BGP messages. usage: pcap2hex.py PCAP OUTDIR LABEL
Writes OUTDIR/<nn>-<src>-to-<dst>-<type>.hex, each with a provenance first line. (Ethernet/IPv4/IPv6, no SACK
reordering: lab captures on a quiet veth.)"""
import struct, sys, os
pcap, outdir, label = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(pcap, 'rb').read()
magic = struct.unpack('<I', data[:4])[0]
e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
off = 24; streams = {}; order = []; seen = set()
while off + 16 <= len(data):
    ts, tu, incl, orig = struct.unpack(e + 'IIII', data[off:off+16]); off += 16
    pkt = data[off:off+incl]; off += incl
    et = struct.unpack('!H', pkt[12:14])[0]; p = pkt[14:]
    if et == 0x0800:
        ihl = (p[0] & 15) * 4; proto = p[9]; src = '.'.join(map(str, p[12:16])); dst = '.'.join(map(str, p[16:20]))
        tot = struct.unpack('!H', p[2:4])[0]; seg = p[ihl:tot]
    else:
        continue
    if proto != 6: continue
    sp, dp, seq = struct.unpack('!HHI', seg[:8]); doff = (seg[12] >> 4) * 4; payload = seg[doff:]
    if not payload: continue
    key = (src, sp, dst, dp)
    if (key, seq) in seen: continue
    seen.add((key, seq))
    streams.setdefault(key, b'')
    streams[key] += payload
    if key not in order: order.append(key)
names = {1: 'open', 2: 'update', 3: 'notification', 4: 'keepalive', 5: 'route-refresh'}
n = 0
for key in order:
    s = streams[key]; i = 0
    while i + 19 <= len(s):
        ln = struct.unpack('!H', s[i+16:i+18])[0]; t = s[i+18]; msg = s[i:i+ln]; i += ln
        n += 1
        if t == 4: continue
        fn = os.path.join(outdir, '%02d-%s-to-%s-%s.hex' % (n, key[0], key[2], names.get(t, str(t))))
        with open(fn, 'w') as f:
            f.write('# %s: captured with tcpdump on port 179, %s:%d -> %s:%d\n' % (label, key[0], key[1], key[2], key[3]))
            f.write('ffffffffffffffffffffffffffffffff  # marker\n%s  # length %d\n%02x  # type %s\n' % (s[i-ln+16:i-ln+18].hex(), ln, t, names.get(t)))
            body = msg[19:]
            for j in range(0, len(body), 32): f.write(body[j:j+32].hex() + '\n')
