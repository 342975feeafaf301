#!/usr/bin/env python3
"""Writes the malformed-message corpus (bgp/src/test/resources/captures/bgp/malformed/*.hex).
Each case is a real capture or a well-formed message with exactly one defect; the '# expect:' line names the
RFC 4271 §6 error and the RFC 7606 treatment the decoder must report."""
import os, struct, sys
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../src/test/resources/captures/bgp/malformed')
os.makedirs(out, exist_ok=True)
def msg(t, body, length=None):
    return b'\xff' * 16 + struct.pack('!HB', length if length is not None else 19 + len(body), t) + body
def attr(flags, t, v, ext=False):
    return struct.pack('!BBH' if ext else '!BBB', flags | (0x10 if ext else 0), t, len(v)) + v
ORIGIN = attr(0x40, 1, b'\x00'); ASPATH = attr(0x40, 2, bytes([2, 1]) + struct.pack('!I', 65002))
NH = attr(0x40, 3, bytes([10, 77, 0, 2])); MED = attr(0x80, 4, struct.pack('!I', 20))
NLRI = bytes([24, 10, 244, 10])
def update(attrs, nlri=NLRI, withdrawn=b''):
    return msg(2, struct.pack('!H', len(withdrawn)) + withdrawn + struct.pack('!H', len(attrs)) + attrs + nlri)
def mp_reach_v6(nh=bytes.fromhex('fd770000000000000000000000000002'), nlri=bytes([64]) + bytes.fromhex('fd00024400090000')):
    return attr(0x80, 14, struct.pack('!HBB', 2, 1, len(nh)) + nh + b'\x00' + nlri)
OPEN_OK = bytes([4]) + struct.pack('!HH', 65002, 90) + bytes([10, 77, 0, 2])
CAPS = bytes([2, 6, 65, 4]) + struct.pack('!I', 65002)
cases = {
  'bad-marker': (b'\xfe' + msg(4, b'')[1:], 'CONNECTION_NOT_SYNCHRONIZED SESSION_RESET', 'KEEPALIVE whose first marker octet is 0xfe'),
  'length-below-header': (msg(4, b'', 18), 'BAD_MESSAGE_LENGTH SESSION_RESET', 'KEEPALIVE with Length 18'),
  'length-over-4096': (msg(2, b'\x00' * 4, 4097), 'BAD_MESSAGE_LENGTH SESSION_RESET', 'UPDATE header claiming 4097 octets without extended messages'),
  'keepalive-with-body': (msg(4, b'\x00'), 'BAD_MESSAGE_LENGTH SESSION_RESET', 'KEEPALIVE of 20 octets'),
  'unknown-message-type': (msg(9, b''), 'BAD_MESSAGE_TYPE SESSION_RESET', 'header with Type 9'),
  'notification-too-short': (msg(3, b'\x06'), 'BAD_MESSAGE_LENGTH SESSION_RESET', 'NOTIFICATION of 20 octets'),
  'route-refresh-wrong-length': (msg(5, struct.pack('!HBBB', 1, 0, 1, 0)), 'ROUTE_REFRESH_INVALID_LENGTH SESSION_RESET', 'ROUTE-REFRESH of 24 octets'),
  'open-version-3': (msg(1, bytes([3]) + OPEN_OK[1:] + bytes([len(CAPS)]) + CAPS), 'UNSUPPORTED_VERSION_NUMBER SESSION_RESET', 'OPEN with version 3'),
  'open-hold-time-one': (msg(1, OPEN_OK[:3] + struct.pack('!H', 1) + OPEN_OK[5:] + bytes([len(CAPS)]) + CAPS), 'UNACCEPTABLE_HOLD_TIME SESSION_RESET', 'OPEN with Hold Time 1'),
  'open-unknown-optional-parameter': (msg(1, OPEN_OK + bytes([4, 1, 2, 0, 0])), 'UNSUPPORTED_OPTIONAL_PARAMETER SESSION_RESET', 'OPEN with optional parameter type 1 (deprecated authentication)'),
  'open-capability-overruns-parameter': (msg(1, OPEN_OK + bytes([6, 2, 4, 65, 4, 0, 0])), 'OPEN_MESSAGE_ERROR SESSION_RESET', 'OPEN whose 4-octet AS capability claims 4 octets but the parameter holds 2'),
  'open-optional-parameters-length-too-long': (msg(1, OPEN_OK + bytes([len(CAPS) + 3]) + CAPS), 'OPEN_MESSAGE_ERROR SESSION_RESET', 'OPEN whose Optional Parameters Length exceeds the message'),
  'update-withdrawn-length-overruns-message': (msg(2, struct.pack('!H', 100) + b'\x00\x00'), 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'UPDATE whose Withdrawn Routes Length is 100 in a 23-octet message'),
  'update-total-attribute-length-overruns-message': (msg(2, struct.pack('!HH', 0, 200) + ORIGIN), 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'UPDATE whose Total Path Attribute Length is 200'),
  'update-withdrawn-prefix-length-33': (update(b'', b'', bytes([33, 10, 0, 0, 0, 0])), 'INVALID_NETWORK_FIELD SESSION_RESET', 'withdrawn route with prefix length 33'),
  'update-nlri-prefix-length-33': (update(ORIGIN + ASPATH + NH, bytes([33, 10, 244, 10, 0, 0])), 'INVALID_NETWORK_FIELD SESSION_RESET', 'NLRI with prefix length 33'),
  'update-nlri-prefix-truncated': (update(ORIGIN + ASPATH + NH, bytes([24, 10, 244])), 'INVALID_NETWORK_FIELD SESSION_RESET', 'NLRI /24 with only two address octets'),
  'update-attribute-length-overruns-field': (update(ORIGIN + ASPATH + NH + bytes([0x80, 4, 9]) + struct.pack('!I', 20)), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'MED claims 9 octets, 4 remain in the attribute field'),
  'update-attribute-header-truncated': (update(ORIGIN + ASPATH + NH + bytes([0x80, 4])), 'MALFORMED_ATTRIBUTE_LIST TREAT_AS_WITHDRAW', 'two octets of an attribute header at the end of the attribute field'),
  'update-origin-value-3': (update(attr(0x40, 1, b'\x03') + ASPATH + NH), 'INVALID_ORIGIN_ATTRIBUTE TREAT_AS_WITHDRAW', 'ORIGIN 3'),
  'update-origin-length-2': (update(attr(0x40, 1, b'\x00\x00') + ASPATH + NH), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'ORIGIN of 2 octets'),
  'update-origin-flagged-optional': (update(attr(0xc0, 1, b'\x00') + ASPATH + NH), 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'ORIGIN with the Optional bit set'),
  'update-missing-origin': (update(ASPATH + NH), 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'NLRI without ORIGIN'),
  'update-missing-as-path': (update(ORIGIN + NH), 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'NLRI without AS_PATH'),
  'update-missing-next-hop': (update(ORIGIN + ASPATH), 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'IPv4 NLRI without NEXT_HOP'),
  'update-as-path-segment-overrun': (update(ORIGIN + attr(0x40, 2, bytes([2, 3]) + struct.pack('!I', 65002)) + NH), 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'AS_SEQUENCE claims 3 ASNs, holds 1'),
  'update-as-path-unknown-segment-type': (update(ORIGIN + attr(0x40, 2, bytes([7, 1]) + struct.pack('!I', 65002)) + NH), 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'AS_PATH segment type 7'),
  'update-as-path-empty-segment': (update(ORIGIN + attr(0x40, 2, bytes([2, 0])) + NH), 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'AS_SEQUENCE of zero ASNs'),
  'update-next-hop-multicast': (update(ORIGIN + ASPATH + attr(0x40, 3, bytes([224, 0, 0, 5]))), 'INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW', 'NEXT_HOP 224.0.0.5'),
  'update-next-hop-length-5': (update(ORIGIN + ASPATH + attr(0x40, 3, bytes([10, 77, 0, 2, 0]))), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'NEXT_HOP of 5 octets'),
  'update-med-flagged-well-known': (update(ORIGIN + ASPATH + NH + attr(0x40, 4, struct.pack('!I', 20))), 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'MED without the Optional bit'),
  'update-local-pref-length-3': (update(ORIGIN + ASPATH + NH + attr(0x40, 5, b'\x00\x00\x64')), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'LOCAL_PREF of 3 octets'),
  'update-communities-length-6': (update(ORIGIN + ASPATH + NH + attr(0xc0, 8, b'\xfd\xea\x00\x07\x00\x01')), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'COMMUNITIES of 6 octets'),
  'update-originator-id-length-2': (update(ORIGIN + ASPATH + NH + attr(0x80, 9, b'\x0a\x4d')), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'ORIGINATOR_ID of 2 octets'),
  'update-cluster-list-length-5': (update(ORIGIN + ASPATH + NH + attr(0x80, 10, b'\x01\x01\x01\x01\x02')), 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'CLUSTER_LIST of 5 octets'),
  'update-atomic-aggregate-with-value': (update(ORIGIN + ASPATH + NH + attr(0x40, 6, b'\x01')), 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'ATOMIC_AGGREGATE of 1 octet'),
  'update-aggregator-length-7': (update(ORIGIN + ASPATH + NH + attr(0xc0, 7, b'\x00\x00\xfd\xea\x0a\x4d\x00')), 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'AGGREGATOR of 7 octets on a 4-octet-AS session'),
  'update-as4-path-segment-overrun': (update(ORIGIN + ASPATH + NH + attr(0xc0, 17, bytes([2, 2]) + struct.pack('!I', 65002))), 'MALFORMED_AS_PATH ATTRIBUTE_DISCARD', 'AS4_PATH segment claims 2 ASNs, holds 1'),
  'update-unrecognized-well-known-attribute': (update(ORIGIN + ASPATH + NH + attr(0x40, 99, b'\x01')), 'UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE SESSION_RESET', 'attribute type 99 without the Optional bit'),
  'update-duplicate-mp-reach': (update(ORIGIN + ASPATH + mp_reach_v6() + mp_reach_v6(), b''), 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'MP_REACH_NLRI twice'),
  'update-mp-reach-next-hop-length-8': (update(ORIGIN + ASPATH + mp_reach_v6(nh=b'\xfd\x77' + b'\x00' * 6), b''), 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'IPv6 MP_REACH_NLRI with an 8-octet next hop'),
  'update-mp-reach-nlri-prefix-length-129': (update(ORIGIN + ASPATH + mp_reach_v6(nlri=bytes([129]) + b'\xfd' * 17), b''), 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'IPv6 NLRI of length 129'),
  'update-mp-unreach-truncated-afi': (update(attr(0x80, 15, b'\x00\x02'), b''), 'OPTIONAL_ATTRIBUTE_ERROR SESSION_RESET', 'MP_UNREACH_NLRI of 2 octets: the AFI/SAFI cannot be read'),
}
for name, (b, expect, what) in cases.items():
    with open(os.path.join(out, name + '.hex'), 'w') as f:
        f.write('# constructed by bgp/scripts/make-malformed.py from fields of the GoBGP 3.10.0 captures: %s\n' % what)
        f.write('# expect: %s\n' % expect)
        f.write(b[:19].hex() + '  # header\n')
        body = b[19:]
        for j in range(0, len(body), 32): f.write(body[j:j + 32].hex() + '\n')
print(len(cases), 'cases')
