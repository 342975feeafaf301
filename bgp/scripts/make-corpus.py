#!/usr/bin/env python3
"""Writes the malformed and edge-case message corpus: bgp/src/test/resources/captures/bgp/corpus/<family>/<case>.hex.

Each file is one BGP message (a well-formed message with exactly one defect or edge case, built from the fields
the lab captures use), with header comments the tests read:
  # rfc:     the governing rule
  # from:    ebgp | ibgp | ebgp-2octet | ebgp-multihop | ebgp-ipv4-only | observer   (who sends it; codec options)
  # codec:   ERROR HANDLING (the decoder's MalformedMessageException) or ok
  # report:  ERROR HANDLING the running speaker reports when the session, not the decoder, finds it (optional)
  # wire:    the reaction of a running speaker (SpeakerCorpusTest):
             reset CODE SUBCODE | close | open-reset CODE SUBCODE | open-ok | withdraw P.. | discard P.. |
             accept P.. | hold P.. | ignore | disable FAMILY P.. | refresh FAMILY
  # observe: [ibgp] P lacks-attribute TYPE | [ibgp] P has-attribute TYPE | P as-path ASN.. |
             P large-communities G:L1:L2.. | [ibgp] present P | [ibgp] absent P
             (what the observer, or with "ibgp" the iBGP sender, holds afterwards)
The harness identities (SpeakerCorpusTest): speaker AS 64512 at 10.0.0.1/24 (IPv6 next hop fd00::1), eBGP sender
AS 65001 at 10.0.0.2, iBGP sender AS 64512 at 10.0.0.3, eBGP observer AS 65003 at 10.0.0.4.
usage: make-corpus.py [OUTDIR]"""
import os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../src/test/resources/captures/bgp/corpus')

P4 = '10.244.10.0/24'; P6 = 'fd00:244:10::/64'
NLRI = bytes([24, 10, 244, 10])
V6NLRI = bytes([64]) + bytes.fromhex('fd00024400100000')

def msg(t, body, length=None):
    return b'\xff' * 16 + struct.pack('!HB', length if length is not None else 19 + len(body), t) + body

def attr(flags, t, v, ext=False):
    return struct.pack('!BBH' if ext else '!BBB', flags | (0x10 if ext else 0), t, len(v)) + v

def seq(*asns, four=True, t=2):
    return bytes([t, len(asns)]) + b''.join(struct.pack('!I' if four else '!H', a) for a in asns)

def origin(v=0): return attr(0x40, 1, bytes([v]))
def aspath(*segs): return attr(0x40, 2, b''.join(segs))
def nh(*octets): return attr(0x40, 3, bytes(octets))
def localpref(v=100): return attr(0x40, 5, struct.pack('!I', v))

SENDER = {  # base attributes of a valid IPv4 announcement by each sender
    'ebgp': origin() + aspath(seq(65001)) + nh(10, 0, 0, 2),
    'ebgp-multihop': origin() + aspath(seq(65001)) + nh(10, 0, 0, 2),
    'ebgp-ipv4-only': origin() + aspath(seq(65001)) + nh(10, 0, 0, 2),
    'ebgp-2octet': origin() + aspath(seq(65001, four=False)) + nh(10, 0, 0, 2),
    'ibgp': origin() + aspath() + nh(10, 0, 0, 3) + localpref(),
    'observer': origin() + aspath(seq(65003)) + nh(10, 0, 0, 4),
}
V6NH = {'ebgp': 'fd000000000000000000000000000002', 'ibgp': 'fd000000000000000000000000000003'}

def update(attrs, nlri=NLRI, withdrawn=b''):
    return msg(2, struct.pack('!H', len(withdrawn)) + withdrawn + struct.pack('!H', len(attrs)) + attrs + nlri)

def mp_reach(nhop=bytes.fromhex(V6NH['ebgp']), nlri=V6NLRI, afi=2, safi=1, flags=0x80, raw=None):
    body = raw if raw is not None else struct.pack('!HBB', afi, safi, len(nhop)) + nhop + b'\x00' + nlri
    return attr(flags, 14, body)

def mp_unreach(nlri=V6NLRI, afi=2, safi=1, flags=0x80):
    return attr(flags, 15, struct.pack('!HB', afi, safi) + nlri)

def open_msg(asn=65001, hold=0, ident=(10, 0, 0, 2), caps=None, version=4, params=None):
    if caps is None:
        caps = bytes([1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 65, 4]) + struct.pack('!I', asn)
    p = params if params is not None else (bytes([2, len(caps)]) + caps)
    return msg(1, bytes([version]) + struct.pack('!HH', asn if asn < 65536 else 23456, hold) + bytes(ident) + bytes([len(p)]) + p)

cases = {}
def case(family, name, b, rfc, frm, codec, wire, what, observe=(), report=None):
    cases[(family, name)] = (b, rfc, frm, codec, wire, what, observe, report)

E, I = SENDER['ebgp'], SENDER['ibgp']
ORIGIN, AS_E, NH_E = origin(), aspath(seq(65001)), nh(10, 0, 0, 2)

# --- header (RFC 4271 §6.1) and message-level errors --------------------------------------------------------------
case('header', 'bad-marker', b'\xfe' + msg(4, b'')[1:], 'RFC 4271 §6.1', 'ebgp', 'CONNECTION_NOT_SYNCHRONIZED SESSION_RESET', 'reset 1 1', 'KEEPALIVE whose first marker octet is 0xfe')
case('header', 'length-below-header', msg(4, b'', 18), 'RFC 4271 §6.1', 'ebgp', 'BAD_MESSAGE_LENGTH SESSION_RESET', 'reset 1 2', 'KEEPALIVE with Length 18')
case('header', 'length-over-4096', msg(2, b'\x00' * 4, 4097), 'RFC 4271 §6.1, RFC 8654 §4', 'ebgp', 'BAD_MESSAGE_LENGTH SESSION_RESET', 'reset 1 2', 'UPDATE header claiming 4097 octets without extended messages')
case('header', 'keepalive-with-body', msg(4, b'\x00'), 'RFC 4271 §6.1', 'ebgp', 'BAD_MESSAGE_LENGTH SESSION_RESET', 'reset 1 2', 'KEEPALIVE of 20 octets')
case('header', 'unknown-message-type', msg(9, b''), 'RFC 4271 §6.1', 'ebgp', 'BAD_MESSAGE_TYPE SESSION_RESET', 'reset 1 3', 'header with Type 9')
case('header', 'notification-too-short', msg(3, b'\x06'), 'RFC 4271 §6.1, §6.4 (no NOTIFICATION in reply to one)', 'ebgp', 'BAD_MESSAGE_LENGTH SESSION_RESET', 'close', 'NOTIFICATION of 20 octets')
case('header', 'update-too-short', msg(2, b'\x00\x00\x00'), 'RFC 4271 §6.1', 'ebgp', 'BAD_MESSAGE_LENGTH SESSION_RESET', 'reset 1 2', 'UPDATE of 22 octets')

# --- OPEN (RFC 4271 §6.2, RFC 7607 §2), sent by the harness instead of its own OPEN --------------------------------
OPEN_OK = bytes([4]) + struct.pack('!HH', 65001, 90) + bytes([10, 0, 0, 2])
CAPS = bytes([2, 6, 65, 4]) + struct.pack('!I', 65001)
case('open', 'version-3', open_msg(version=3), 'RFC 4271 §6.2', 'ebgp', 'UNSUPPORTED_VERSION_NUMBER SESSION_RESET', 'open-reset 2 1', 'OPEN with version 3')
case('open', 'hold-time-one', msg(1, OPEN_OK[:3] + struct.pack('!H', 1) + OPEN_OK[5:] + bytes([len(CAPS)]) + CAPS), 'RFC 4271 §6.2', 'ebgp', 'UNACCEPTABLE_HOLD_TIME SESSION_RESET', 'open-reset 2 6', 'OPEN with Hold Time 1')
case('open', 'unknown-optional-parameter', msg(1, OPEN_OK + bytes([4, 1, 2, 0, 0])), 'RFC 4271 §6.2', 'ebgp', 'UNSUPPORTED_OPTIONAL_PARAMETER SESSION_RESET', 'open-reset 2 4', 'OPEN with optional parameter type 1 (deprecated authentication)')
case('open', 'capability-overruns-parameter', msg(1, OPEN_OK + bytes([6, 2, 4, 65, 4, 0, 0])), 'RFC 5492 §4', 'ebgp', 'OPEN_MESSAGE_ERROR SESSION_RESET', 'open-reset 2 0', 'OPEN whose 4-octet AS capability claims 4 octets but the parameter holds 2')
case('open', 'optional-parameters-length-too-long', msg(1, OPEN_OK + bytes([len(CAPS) + 3]) + CAPS), 'RFC 4271 §6.2', 'ebgp', 'OPEN_MESSAGE_ERROR SESSION_RESET', 'open-reset 2 0', 'OPEN whose Optional Parameters Length exceeds the message')
case('open', 'peer-as-zero', open_msg(asn=0, caps=bytes([1, 4, 0, 1, 0, 1])), 'RFC 7607 §2', 'ebgp', 'ok', 'open-reset 2 2', 'OPEN with My Autonomous System 0 and no 4-octet AS capability')
case('open', 'four-octet-as-capability-zero', open_msg(caps=bytes([1, 4, 0, 1, 0, 1, 65, 4, 0, 0, 0, 0])), 'RFC 7607 §2, RFC 6793 §4.1', 'ebgp', 'ok', 'open-reset 2 2', 'OPEN whose 4-octet AS capability carries AS 0')
case('open', 'unknown-afi-safi-capability', open_msg(caps=bytes([1, 4, 0, 1, 0, 2, 1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 65, 4]) + struct.pack('!I', 65001)), 'RFC 4760 §8, RFC 5492 §3', 'ebgp', 'ok', 'open-ok', 'OPEN advertising IPv4 multicast (afi 1, safi 2) besides IPv4 and IPv6 unicast')
case('open', 'only-unknown-afi-safi', open_msg(caps=bytes([1, 4, 0, 1, 0, 2, 65, 4]) + struct.pack('!I', 65001)), 'RFC 4760 §8', 'ebgp', 'ok', 'open-ok', 'OPEN advertising IPv4 multicast only: established, no family in common')
case('open', 'graceful-restart-unknown-afi-safi', open_msg(caps=bytes([1, 4, 0, 1, 0, 1, 64, 6, 0, 120, 0, 1, 2, 0x80, 65, 4]) + struct.pack('!I', 65001)), 'RFC 4724 §3', 'ebgp', 'ok', 'open-ok', 'OPEN whose graceful restart capability lists afi 1 / safi 2')

# --- UPDATE syntax (RFC 4271 §6.3, RFC 7606 §3, §4, §5.3, §7) ------------------------------------------------------
case('update-syntax', 'withdrawn-length-overruns-message', msg(2, struct.pack('!H', 100) + b'\x00\x00'), 'RFC 7606 §3.b, §4', 'ebgp', 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'reset 3 1', 'UPDATE whose Withdrawn Routes Length is 100 in a 23-octet message')
case('update-syntax', 'total-attribute-length-overruns-message', msg(2, struct.pack('!HH', 0, 200) + ORIGIN), 'RFC 7606 §3.b, §4', 'ebgp', 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'reset 3 1', 'UPDATE whose Total Path Attribute Length is 200')
case('update-syntax', 'withdrawn-prefix-length-33', update(b'', b'', bytes([33, 10, 0, 0, 0, 0])), 'RFC 7606 §3.i, §5.3', 'ebgp', 'INVALID_NETWORK_FIELD SESSION_RESET', 'reset 3 10', 'withdrawn route with prefix length 33')
case('update-syntax', 'withdrawn-prefix-truncated', update(b'', b'', bytes([24, 10, 244])), 'RFC 7606 §3.i, §5.3', 'ebgp', 'INVALID_NETWORK_FIELD SESSION_RESET', 'reset 3 10', 'withdrawn /24 with only two address octets')
case('update-syntax', 'nlri-prefix-length-33', update(E, bytes([33, 10, 244, 10, 0, 0])), 'RFC 7606 §5.3', 'ebgp', 'INVALID_NETWORK_FIELD SESSION_RESET', 'reset 3 10', 'NLRI with prefix length 33')
case('update-syntax', 'nlri-prefix-truncated', update(E, bytes([24, 10, 244])), 'RFC 7606 §5.3', 'ebgp', 'INVALID_NETWORK_FIELD SESSION_RESET', 'reset 3 10', 'NLRI /24 with only two address octets')
case('update-syntax', 'attribute-length-overruns-field', update(E + bytes([0x80, 4, 9]) + struct.pack('!I', 20)), 'RFC 7606 §4', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'MED claims 9 octets, 4 remain in the attribute field')
case('update-syntax', 'attribute-header-truncated', update(E + bytes([0x80, 4])), 'RFC 7606 §4', 'ebgp', 'MALFORMED_ATTRIBUTE_LIST TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'two octets of an attribute header at the end of the attribute field')
case('update-syntax', 'origin-value-3', update(origin(3) + AS_E + NH_E), 'RFC 7606 §7.1', 'ebgp', 'INVALID_ORIGIN_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'ORIGIN 3')
case('update-syntax', 'origin-length-2', update(attr(0x40, 1, b'\x00\x00') + AS_E + NH_E), 'RFC 7606 §7.1', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'ORIGIN of 2 octets')
case('update-syntax', 'origin-flagged-optional', update(attr(0xc0, 1, b'\x00') + AS_E + NH_E), 'RFC 7606 §3.c', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'ORIGIN with the Optional bit set')
case('update-syntax', 'missing-origin', update(AS_E + NH_E), 'RFC 7606 §3.d', 'ebgp', 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'NLRI without ORIGIN')
case('update-syntax', 'missing-as-path', update(ORIGIN + NH_E), 'RFC 7606 §3.d', 'ebgp', 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'NLRI without AS_PATH')
case('update-syntax', 'missing-next-hop', update(ORIGIN + AS_E), 'RFC 7606 §3.d', 'ebgp', 'MISSING_WELL_KNOWN_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'IPv4 NLRI without NEXT_HOP')
case('update-syntax', 'as-path-segment-overrun', update(ORIGIN + attr(0x40, 2, bytes([2, 3]) + struct.pack('!I', 65001)) + NH_E), 'RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_SEQUENCE claims 3 ASNs, holds 1')
case('update-syntax', 'as-path-unknown-segment-type', update(ORIGIN + attr(0x40, 2, bytes([7, 1]) + struct.pack('!I', 65001)) + NH_E), 'RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH segment type 7')
case('update-syntax', 'as-path-empty-segment', update(ORIGIN + attr(0x40, 2, bytes([2, 0])) + NH_E), 'RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_SEQUENCE of zero ASNs')
case('update-syntax', 'as-path-single-octet-left', update(ORIGIN + attr(0x40, 2, seq(65001) + b'\x02') + NH_E), 'RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH with one octet after its last segment')
case('update-syntax', 'next-hop-multicast', update(ORIGIN + AS_E + nh(224, 0, 0, 5)), 'RFC 4271 §6.3, RFC 7606 §7.3', 'ebgp', 'INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'NEXT_HOP 224.0.0.5')
case('update-syntax', 'next-hop-zero', update(ORIGIN + AS_E + nh(0, 0, 0, 0)), 'RFC 4271 §6.3, RFC 7606 §7.3', 'ebgp', 'INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'NEXT_HOP 0.0.0.0')
case('update-syntax', 'next-hop-length-5', update(ORIGIN + AS_E + attr(0x40, 3, bytes([10, 0, 0, 2, 0]))), 'RFC 7606 §7.3', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'NEXT_HOP of 5 octets')
case('update-syntax', 'med-flagged-well-known', update(E + attr(0x40, 4, struct.pack('!I', 20))), 'RFC 7606 §3.c', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'MED without the Optional bit')
case('update-syntax', 'med-length-3', update(E + attr(0x80, 4, b'\x00\x00\x14')), 'RFC 7606 §7.4', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'MED of 3 octets')
case('update-syntax', 'local-pref-length-3', update(ORIGIN + aspath() + nh(10, 0, 0, 3) + attr(0x40, 5, b'\x00\x00\x64')), 'RFC 7606 §7.5', 'ibgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'LOCAL_PREF of 3 octets from an internal peer')
case('update-syntax', 'atomic-aggregate-with-value', update(E + attr(0x40, 6, b'\x01')), 'RFC 7606 §7.6', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'ATOMIC_AGGREGATE of 1 octet', [P4 + ' lacks-attribute 6'])
case('update-syntax', 'atomic-aggregate-flagged-optional', update(E + attr(0xc0, 6, b'')), 'RFC 7606 §3.f', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'ATOMIC_AGGREGATE with the Optional bit set', [P4 + ' lacks-attribute 6'])
case('update-syntax', 'aggregator-length-7', update(E + attr(0xc0, 7, b'\x00\x00\xfd\xe9\x0a\x00\x00')), 'RFC 7606 §7.7', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AGGREGATOR of 7 octets on a 4-octet-AS session', [P4 + ' lacks-attribute 7'])
case('update-syntax', 'aggregator-flagged-well-known', update(E + attr(0x40, 7, struct.pack('!I', 65001) + bytes([10, 0, 0, 2]))), 'RFC 7606 §3.f', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AGGREGATOR without the Optional bit', [P4 + ' lacks-attribute 7'])
case('update-syntax', 'unrecognized-well-known-attribute', update(E + attr(0x40, 99, b'\x01')), 'RFC 4271 §6.3', 'ebgp', 'UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE SESSION_RESET', 'reset 3 2', 'attribute type 99 without the Optional bit')
case('update-syntax', 'repeated-med-keeps-the-first', update(E + attr(0x80, 4, struct.pack('!I', 20)) + attr(0x80, 4, b'\x00')), 'RFC 7606 §3.g', 'ebgp', 'ok', 'accept ' + P4, 'MED twice, the second malformed: it is discarded unread')
case('update-syntax', 'unknown-optional-transitive-passed-on', update(E + attr(0xc0, 99, b'\x01\x02')), 'RFC 4271 §5, §9.1.4', 'ebgp', 'ok', 'accept ' + P4, 'unknown optional transitive attribute 99: kept and passed on with the Partial bit', [P4 + ' has-attribute 99'])
case('update-syntax', 'unknown-optional-non-transitive-dropped', update(E + attr(0x80, 98, b'\x01\x02')), 'RFC 4271 §5', 'ebgp', 'ok', 'accept ' + P4, 'unknown optional non-transitive attribute 98: not passed on', [P4 + ' lacks-attribute 98'])

# --- AS_PATH content (RFC 9774, RFC 7607, RFC 5065, RFC 6793) ------------------------------------------------------
case('as-path', 'as-set', update(ORIGIN + aspath(seq(65001), seq(65100, 65101, t=1)) + NH_E), 'RFC 9774 §3, RFC 7606 §2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH with an AS_SET segment (an aggregate)')
case('as-path', 'as-set-from-ibgp', update(ORIGIN + aspath(seq(65100, t=1)) + nh(10, 0, 0, 3) + localpref()), 'RFC 9774 §3', 'ibgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_SET from an internal peer')
case('as-path', 'as-zero-in-sequence', update(ORIGIN + aspath(seq(65001, 0)) + NH_E), 'RFC 7607 §2, RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH 65001 0')
case('as-path', 'as-zero-from-ibgp', update(ORIGIN + aspath(seq(0)) + nh(10, 0, 0, 3) + localpref()), 'RFC 7607 §2', 'ibgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH 0 from an internal peer')
case('as-path', 'as-zero-two-octet-session', update(ORIGIN + aspath(seq(65001, 0, four=False)) + NH_E), 'RFC 7607 §2', 'ebgp-2octet', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_PATH 65001 0 in 2-octet encoding')
case('as-path', 'confed-sequence-from-ebgp', update(ORIGIN + aspath(seq(65010, t=3), seq(65001)) + NH_E), 'RFC 5065 §5, RFC 7606 §7.2', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_CONFED_SEQUENCE from an external peer (podnet is in no confederation)')
case('as-path', 'confed-set-from-ebgp', update(ORIGIN + aspath(seq(65010, 65011, t=4), seq(65001)) + NH_E), 'RFC 5065 §5, RFC 9774 §3', 'ebgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_CONFED_SET from an external peer')
case('as-path', 'confed-sequence-from-ibgp', update(ORIGIN + aspath(seq(65010, t=3)) + nh(10, 0, 0, 3) + localpref()), 'RFC 5065 §5, RFC 7606 §7.2', 'ibgp', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS_CONFED_SEQUENCE from an internal peer: podnet is in no confederation, so no peer is in its confederation')
AS2 = origin() + aspath(seq(65001, 23456, four=False)) + NH_E
case('as-path', 'as4-path-merged-from-two-octet-peer', update(AS2 + attr(0xc0, 17, seq(4200000001))), 'RFC 6793 §4.2.3', 'ebgp-2octet', 'ok', 'accept ' + P4, 'AS_PATH 65001 23456 with AS4_PATH 4200000001 from a 2-octet peer', [P4 + ' as-path 64512 65001 4200000001'])
case('as-path', 'as4-path-confed-sequence', update(AS2 + attr(0xc0, 17, seq(65010, t=3) + seq(4200000001))), 'RFC 6793 §6', 'ebgp-2octet', 'MALFORMED_AS_PATH ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_PATH with an AS_CONFED_SEQUENCE: the segment is dropped, the rest merged', [P4 + ' as-path 64512 65001 4200000001'])
case('as-path', 'as4-path-as-zero', update(AS2 + attr(0xc0, 17, seq(0))), 'RFC 7607 §2, RFC 6793 §6', 'ebgp-2octet', 'MALFORMED_AS_PATH ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_PATH 0: discarded, AS_PATH kept', [P4 + ' as-path 64512 65001 23456'])
case('as-path', 'as4-path-as-set', update(AS2 + attr(0xc0, 17, seq(4200000001, t=1))), 'RFC 9774 §3', 'ebgp-2octet', 'MALFORMED_AS_PATH TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'AS4_PATH with an AS_SET')
case('as-path', 'as4-path-odd-length', update(AS2 + attr(0xc0, 17, seq(4200000001) + b'\x00')), 'RFC 6793 §6', 'ebgp-2octet', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_PATH of 7 octets', [P4 + ' as-path 64512 65001 23456'])
case('as-path', 'as4-path-segment-overrun', update(AS2 + attr(0xc0, 17, bytes([2, 2]) + struct.pack('!I', 4200000001))), 'RFC 6793 §6', 'ebgp-2octet', 'MALFORMED_AS_PATH ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_PATH segment claims 2 ASNs, holds 1', [P4 + ' as-path 64512 65001 23456'])
case('as-path', 'as4-path-from-four-octet-peer', update(E + attr(0xc0, 17, seq(0))), 'RFC 6793 §4.1', 'ebgp', 'ok', 'accept ' + P4, 'AS4_PATH from a 4-octet peer: dropped unread', [P4 + ' as-path 64512 65001'])
case('as-path', 'aggregator-as-zero', update(E + attr(0xc0, 7, struct.pack('!I', 0) + bytes([10, 0, 0, 2]))), 'RFC 7607 §2, RFC 7606 §7.7', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AGGREGATOR AS 0', [P4 + ' lacks-attribute 7'])
case('as-path', 'aggregator-as-zero-two-octet-session', update(AS2 + attr(0xc0, 7, struct.pack('!H', 0) + bytes([10, 0, 0, 2]))), 'RFC 7607 §2, RFC 7606 §7.7', 'ebgp-2octet', 'OPTIONAL_ATTRIBUTE_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AGGREGATOR AS 0 in 2-octet encoding', [P4 + ' lacks-attribute 7'])
case('as-path', 'as4-aggregator-as-zero', update(AS2 + attr(0xc0, 7, struct.pack('!H', 23456) + bytes([10, 0, 0, 9])) + attr(0xc0, 18, struct.pack('!I', 0) + bytes([10, 0, 0, 9]))), 'RFC 7607 §2, RFC 6793 §6', 'ebgp-2octet', 'OPTIONAL_ATTRIBUTE_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_AGGREGATOR AS 0: discarded, AGGREGATOR 23456 kept', [P4 + ' has-attribute 7'])
case('as-path', 'as4-aggregator-length-6', update(AS2 + attr(0xc0, 7, struct.pack('!H', 23456) + bytes([10, 0, 0, 9])) + attr(0xc0, 18, struct.pack('!H', 1) + bytes([10, 0, 0, 9]))), 'RFC 6793 §6', 'ebgp-2octet', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'AS4_AGGREGATOR of 6 octets', [P4 + ' has-attribute 7'])

# --- attributes meaningless from an external peer (RFC 7606 §7.5, §7.9, §7.10) -------------------------------------
case('ebgp-attributes', 'local-pref-length-3-from-ebgp', update(E + attr(0x40, 5, b'\x00\x00\x64')), 'RFC 7606 §7.5', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'LOCAL_PREF of 3 octets from an external peer')
case('ebgp-attributes', 'local-pref-flagged-optional-from-ebgp', update(E + attr(0xc0, 5, struct.pack('!I', 200))), 'RFC 7606 §7.5', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'LOCAL_PREF with the Optional bit from an external peer')
case('ebgp-attributes', 'local-pref-from-ebgp-ignored', update(E + localpref(500)), 'RFC 4271 §5.1.5, RFC 7606 §7.5', 'ebgp', 'ok', 'accept ' + P4, 'a valid LOCAL_PREF from an external peer: ignored without an error', [P4 + ' lacks-attribute 5'])
case('ebgp-attributes', 'originator-id-length-2-from-ebgp', update(E + attr(0x80, 9, b'\x0a\x00')), 'RFC 7606 §7.9', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'ORIGINATOR_ID of 2 octets from an external peer')
case('ebgp-attributes', 'originator-id-length-2-from-ibgp', update(I + attr(0x80, 9, b'\x0a\x00')), 'RFC 7606 §7.9', 'ibgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'ORIGINATOR_ID of 2 octets from an internal peer')
case('ebgp-attributes', 'cluster-list-length-5-from-ebgp', update(E + attr(0x80, 10, b'\x01\x01\x01\x01\x02')), 'RFC 7606 §7.10', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'CLUSTER_LIST of 5 octets from an external peer')
case('ebgp-attributes', 'cluster-list-flagged-transitive-from-ebgp', update(E + attr(0xc0, 10, b'\x01\x01\x01\x01')), 'RFC 7606 §7.10', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR ATTRIBUTE_DISCARD', 'discard ' + P4, 'CLUSTER_LIST with the Transitive bit from an external peer')
case('ebgp-attributes', 'cluster-list-length-5-from-ibgp', update(I + attr(0x80, 10, b'\x01\x01\x01\x01\x02')), 'RFC 7606 §7.10', 'ibgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'CLUSTER_LIST of 5 octets from an internal peer')
case('ebgp-attributes', 'cluster-list-empty-from-ibgp', update(I + attr(0x80, 10, b'')), 'RFC 7606 §7.10', 'ibgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'CLUSTER_LIST of 0 octets from an internal peer')

# --- length rules of the community attributes (RFC 7606 §7.8, §7.14, RFC 4360, RFC 8092) ---------------------------
case('lengths', 'communities-length-6', update(E + attr(0xc0, 8, b'\xfd\xe9\x00\x07\x00\x01')), 'RFC 7606 §7.8', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'COMMUNITIES of 6 octets')
case('lengths', 'communities-empty', update(E + attr(0xc0, 8, b'')), 'RFC 7606 §7.8, §4', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'COMMUNITIES of 0 octets')
case('lengths', 'extended-communities-length-7', update(E + attr(0xc0, 16, bytes.fromhex('00020000fde900'))), 'RFC 7606 §7.14, RFC 4360 §2', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'EXTENDED COMMUNITIES of 7 octets')
case('lengths', 'extended-communities-length-12', update(E + attr(0xc0, 16, bytes.fromhex('00020000fde90001') + b'\x00\x00\x00\x01')), 'RFC 7606 §7.14', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'EXTENDED COMMUNITIES of 12 octets')
case('lengths', 'extended-communities-empty', update(E + attr(0xc0, 16, b'')), 'RFC 7606 §7.14', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'EXTENDED COMMUNITIES of 0 octets')
case('lengths', 'extended-communities-flagged-non-transitive', update(E + attr(0x80, 16, bytes.fromhex('00020000fde90001'))), 'RFC 7606 §3.c', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'EXTENDED COMMUNITIES without the Transitive bit')
case('lengths', 'extended-communities-valid', update(E + attr(0xc0, 16, bytes.fromhex('00020000fde90001') + bytes.fromhex('8000000000000001'))), 'RFC 4360 §3, RFC 7606 §7.14', 'ebgp', 'ok', 'accept ' + P4, 'route target 65001:1 and an unknown type 0x80: both valid, both passed on', [P4 + ' has-attribute 16'])
case('lengths', 'extended-community-non-transitive-not-exported', update(E + attr(0xc0, 16, bytes.fromhex('4300000000000001'))), 'RFC 4360 §6', 'ebgp', 'ok', 'accept ' + P4, 'only a non-transitive extended community (type 0x43): removed before an external peer', [P4 + ' lacks-attribute 16'])
case('lengths', 'large-communities-length-8', update(E + attr(0xc0, 32, struct.pack('!II', 65001, 1))), 'RFC 8092 §5', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'LARGE_COMMUNITY of 8 octets')
case('lengths', 'large-communities-length-20', update(E + attr(0xc0, 32, struct.pack('!IIIII', 65001, 1, 1, 65001, 2))), 'RFC 8092 §5', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'LARGE_COMMUNITY of 20 octets')
case('lengths', 'large-communities-empty', update(E + attr(0xc0, 32, b'')), 'RFC 8092 §5', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'LARGE_COMMUNITY of 0 octets')
case('lengths', 'large-communities-flagged-non-transitive', update(E + attr(0x80, 32, struct.pack('!III', 65001, 1, 1))), 'RFC 7606 §3.c', 'ebgp', 'ATTRIBUTE_FLAGS_ERROR TREAT_AS_WITHDRAW', 'withdraw ' + P4, 'LARGE_COMMUNITY without the Transitive bit')
case('lengths', 'large-communities-duplicates-removed', update(E + attr(0xc0, 32, struct.pack('!IIIIII', 65001, 1, 1, 65001, 1, 1))), 'RFC 8092 §5', 'ebgp', 'ok', 'accept ' + P4, 'LARGE_COMMUNITY 65001:1:1 twice: the duplicate is removed silently', [P4 + ' large-communities 65001:1:1'])

# --- MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 7606 §5.3, §7.11) ----------------------------------------------
MP_ATTRS = ORIGIN + AS_E
case('mp-reach', 'mp-reach-flagged-transitive', update(mp_reach(flags=0xc0) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_REACH_NLRI with the Transitive bit')
case('mp-reach', 'mp-reach-flagged-well-known', update(mp_reach(flags=0x40) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_REACH_NLRI without the Optional bit')
case('mp-unreach', 'mp-unreach-flagged-transitive', update(mp_unreach(flags=0xc0), b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_UNREACH_NLRI with the Transitive bit')
case('mp-reach', 'mp-reach-ipv6-next-hop-length-8', update(mp_reach(nhop=b'\xfd\x00' + b'\x00' * 6) + MP_ATTRS, b''), 'RFC 7606 §7.11', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_REACH_NLRI with an 8-octet next hop')
case('mp-reach', 'mp-reach-ipv6-next-hop-length-0', update(mp_reach(nhop=b'') + MP_ATTRS, b''), 'RFC 7606 §7.11', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_REACH_NLRI with no next hop')
case('mp-reach', 'mp-reach-ipv4-next-hop-length-16', update(mp_reach(afi=1, nhop=bytes.fromhex(V6NH['ebgp']), nlri=NLRI) + MP_ATTRS, b''), 'RFC 7606 §7.11, RFC 8950 (not negotiated)', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv4-unicast ' + P4, 'IPv4 MP_REACH_NLRI with a 16-octet next hop, no extended next hop capability')
case('mp-reach', 'mp-reach-next-hop-overruns-attribute', update(mp_reach(raw=struct.pack('!HBB', 2, 1, 40) + bytes.fromhex(V6NH['ebgp'])) + MP_ATTRS, b''), 'RFC 7606 §7.11', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_REACH_NLRI whose next-hop length 40 overruns the attribute')
case('mp-reach', 'mp-reach-ipv6-prefix-length-129', update(mp_reach(nlri=bytes([129]) + b'\xfd' * 17) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 NLRI of length 129')
case('mp-reach', 'mp-reach-ipv4-prefix-length-33', update(mp_reach(afi=1, nhop=bytes([10, 0, 0, 2]), nlri=bytes([33, 10, 244, 10, 0, 0])) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv4-unicast ' + P4, 'IPv4 MP_REACH_NLRI prefix of length 33')
case('mp-reach', 'mp-reach-nlri-truncated', update(mp_reach(nlri=bytes([64]) + bytes.fromhex('fd000244')) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 /64 with 4 of its 8 octets')
case('mp-reach', 'mp-reach-length-4', update(mp_reach(raw=struct.pack('!HBB', 2, 1, 16)) + MP_ATTRS, b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'MP_REACH_NLRI of 4 octets (AFI/SAFI readable)')
case('mp-reach', 'mp-reach-length-2', update(mp_reach(raw=struct.pack('!H', 2)) + MP_ATTRS, b''), 'RFC 7606 §5.3, §3.j', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR SESSION_RESET', 'reset 3 9', 'MP_REACH_NLRI of 2 octets: the AFI/SAFI cannot be read')
case('mp-reach', 'duplicate-mp-reach', update(mp_reach() + mp_reach() + MP_ATTRS, b''), 'RFC 7606 §3.g', 'ebgp', 'MALFORMED_ATTRIBUTE_LIST SESSION_RESET', 'reset 3 1', 'MP_REACH_NLRI twice')
case('mp-reach', 'mp-reach-with-malformed-origin', update(mp_reach() + origin(3) + AS_E, b''), 'RFC 7606 §7.1, §5.2', 'ebgp', 'INVALID_ORIGIN_ATTRIBUTE TREAT_AS_WITHDRAW', 'withdraw ' + P6, 'IPv6 announcement with ORIGIN 3: its reachable NLRI are in MP_REACH_NLRI, so treat-as-withdraw, not a reset')
case('mp-reach', 'mp-reach-with-ipv4-nlri-keeps-ipv4', update(mp_reach(nhop=b'\xfd\x00' + b'\x00' * 6) + E), 'RFC 4760 §7, RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'bad IPv6 MP_REACH_NLRI beside valid IPv4 NLRI: IPv6 disabled, the IPv4 route accepted', ['present ' + P4])
case('mp-unreach', 'mp-unreach-truncated-afi', update(attr(0x80, 15, b'\x00\x02'), b''), 'RFC 7606 §5.3, §3.j', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR SESSION_RESET', 'reset 3 9', 'MP_UNREACH_NLRI of 2 octets: the AFI/SAFI cannot be read')
case('mp-unreach', 'mp-unreach-withdrawn-prefix-truncated', update(mp_unreach(nlri=bytes([64]) + bytes.fromhex('fd0002')), b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_UNREACH_NLRI withdrawing a /64 with 3 octets')
case('mp-unreach', 'mp-unreach-prefix-length-129', update(mp_unreach(nlri=bytes([129]) + b'\xfd' * 17), b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv6-unicast ' + P6, 'IPv6 MP_UNREACH_NLRI prefix of length 129')
case('mp-unreach', 'mp-unreach-ipv4-prefix-truncated', update(mp_unreach(afi=1, nlri=bytes([24, 10, 244])), b''), 'RFC 7606 §5.3', 'ebgp', 'OPTIONAL_ATTRIBUTE_ERROR AFI_SAFI_DISABLE', 'disable ipv4-unicast ' + P4, 'IPv4 MP_UNREACH_NLRI withdrawing a /24 with 2 octets')

# --- NEXT_HOP semantics (RFC 4271 §5.1.3, §6.3) --------------------------------------------------------------------
case('next-hop', 'next-hop-is-the-receiving-speaker', update(ORIGIN + AS_E + nh(10, 0, 0, 1)), 'RFC 4271 §6.3 (semantic)', 'ebgp', 'ok', 'withdraw ' + P4, 'NEXT_HOP 10.0.0.1, the speaker itself', report='INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW')
case('next-hop', 'next-hop-is-the-receiving-speaker-ibgp', update(ORIGIN + aspath() + nh(10, 0, 0, 1) + localpref()), 'RFC 4271 §6.3 (semantic)', 'ibgp', 'ok', 'withdraw ' + P4, 'NEXT_HOP 10.0.0.1 from an internal peer', report='INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW')
case('next-hop', 'next-hop-off-link-single-hop-ebgp', update(ORIGIN + AS_E + nh(192, 0, 2, 7)), 'RFC 4271 §5.1.3, §6.3', 'ebgp', 'ok', 'withdraw ' + P4, 'NEXT_HOP 192.0.2.7 from a directly connected external peer: not on the shared subnet', report='INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW')
case('next-hop', 'next-hop-on-link-third-party-ebgp', update(ORIGIN + AS_E + nh(10, 0, 0, 9)), 'RFC 4271 §5.1.3', 'ebgp', 'ok', 'accept ' + P4, 'NEXT_HOP 10.0.0.9 from an external peer: a third party on the shared subnet')
case('next-hop', 'next-hop-off-link-multihop-ebgp', update(ORIGIN + AS_E + nh(192, 0, 2, 7)), 'RFC 4271 §5.1.3 (multihop)', 'ebgp-multihop', 'ok', 'accept ' + P4, 'NEXT_HOP 192.0.2.7 from a multihop external peer')
case('next-hop', 'next-hop-off-link-ibgp', update(ORIGIN + aspath() + nh(192, 0, 2, 7) + localpref()), 'RFC 4271 §5.1.3', 'ibgp', 'ok', 'accept ' + P4, 'NEXT_HOP 192.0.2.7 from an internal peer (resolved recursively)')
case('next-hop', 'mp-next-hop-is-the-receiving-speaker', update(mp_reach(nhop=bytes.fromhex('fd000000000000000000000000000001')) + MP_ATTRS, b''), 'RFC 4271 §6.3, RFC 4760 §3', 'ebgp', 'ok', 'withdraw ' + P6, 'IPv6 next hop fd00::1, the speaker itself', report='INVALID_NEXT_HOP_ATTRIBUTE TREAT_AS_WITHDRAW')

# --- UPDATE without NLRI that carries a malformed attribute (RFC 7606 §5.2) ---------------------------------------
case('no-nlri', 'malformed-origin-without-nlri', update(origin(3) + AS_E + NH_E, b''), 'RFC 7606 §5.2', 'ebgp', 'INVALID_ORIGIN_ATTRIBUTE SESSION_RESET', 'reset 3 6', 'ORIGIN 3, AS_PATH and NEXT_HOP but no NLRI')
case('no-nlri', 'malformed-med-with-withdrawals-only', update(ORIGIN + attr(0x80, 4, b'\x00\x00\x14'), b'', NLRI), 'RFC 7606 §5.2', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR SESSION_RESET', 'reset 3 5', 'withdrawn routes plus a MED of 3 octets, no reachable NLRI')
case('no-nlri', 'malformed-origin-with-mp-unreach', update(mp_unreach() + origin(3), b''), 'RFC 7606 §5.2', 'ebgp', 'INVALID_ORIGIN_ATTRIBUTE SESSION_RESET', 'reset 3 6', 'MP_UNREACH_NLRI plus ORIGIN 3')
case('no-nlri', 'malformed-origin-with-empty-mp-reach', update(mp_reach(nlri=b'') + origin(3) + AS_E, b''), 'RFC 7606 §5.2', 'ebgp', 'INVALID_ORIGIN_ATTRIBUTE SESSION_RESET', 'reset 3 6', 'an empty MP_REACH_NLRI (no reachable NLRI) plus ORIGIN 3')
case('no-nlri', 'malformed-atomic-aggregate-without-nlri', update(E + attr(0x40, 6, b'\x01'), b''), 'RFC 7606 §5.2 (attribute discard only)', 'ebgp', 'ATTRIBUTE_LENGTH_ERROR ATTRIBUTE_DISCARD', 'ignore', 'attributes without NLRI whose only error is an attribute discard: no reset')
case('no-nlri', 'attributes-without-nlri', update(E, b''), 'RFC 7606 §5.2', 'ebgp', 'ok', 'ignore', 'valid attributes and no NLRI: nothing to do')

# --- well-known communities (RFC 1997) -----------------------------------------------------------------------------
def comm(*vals): return attr(0xc0, 8, b''.join(struct.pack('!I', v) for v in vals))
case('communities', 'no-export', update(E + comm(0xFFFFFF01)), 'RFC 1997', 'ebgp', 'ok', 'hold ' + P4, 'NO_EXPORT: kept, sent to the internal peer, not to the external observer', ['ibgp ' + P4 + ' has-attribute 8'])
case('communities', 'no-export-from-ibgp', update(I + comm(0xFFFFFF01)), 'RFC 1997', 'ibgp', 'ok', 'hold ' + P4, 'NO_EXPORT from an internal peer')
case('communities', 'no-advertise', update(E + comm(0xFFFFFF02)), 'RFC 1997', 'ebgp', 'ok', 'hold ' + P4, 'NO_ADVERTISE: sent to no peer at all', ['ibgp absent ' + P4])
case('communities', 'no-export-subconfed', update(E + comm(0xFFFFFF03)), 'RFC 1997', 'ebgp', 'ok', 'hold ' + P4, 'NO_EXPORT_SUBCONFED: not to external peers', ['ibgp ' + P4 + ' has-attribute 8'])
case('communities', 'no-export-among-others', update(E + comm(0xFDE90001, 0xFFFFFF01, 0xFDE90002)), 'RFC 1997', 'ebgp', 'ok', 'hold ' + P4, 'NO_EXPORT between two ordinary communities', ['ibgp ' + P4 + ' has-attribute 8'])
case('communities', 'ordinary-community-exported', update(E + comm(0xFDE90064)), 'RFC 1997', 'ebgp', 'ok', 'accept ' + P4, 'community 65001:100: passed on', [P4 + ' has-attribute 8'])

# --- unknown AFI/SAFI (RFC 4760 §7, RFC 2918 §4, RFC 7313 §5) ------------------------------------------------------
case('unknown-afi-safi', 'mp-reach-ipv4-multicast', update(mp_reach(afi=1, safi=2, nhop=bytes([10, 0, 0, 2]), nlri=NLRI) + MP_ATTRS, b''), 'RFC 4760 §7 (family not negotiated)', 'ebgp', 'ok', 'ignore', 'MP_REACH_NLRI for IPv4 multicast (afi 1, safi 2)')
case('unknown-afi-safi', 'mp-unreach-ipv4-multicast', update(mp_unreach(afi=1, safi=2, nlri=NLRI), b''), 'RFC 4760 §7', 'ebgp', 'ok', 'ignore', 'MP_UNREACH_NLRI for IPv4 multicast')
case('unknown-afi-safi', 'mp-reach-unknown-afi', update(mp_reach(afi=25, safi=65, nhop=bytes([10, 0, 0, 2]), nlri=b'\x00\x01') + MP_ATTRS, b''), 'RFC 4760 §7', 'ebgp', 'ok', 'ignore', 'MP_REACH_NLRI for afi 25 / safi 65 (L2VPN VPLS)')
case('unknown-afi-safi', 'mp-reach-multicast-beside-ipv4-not-passed-on', update(mp_reach(afi=1, safi=2, nhop=bytes([10, 0, 0, 2]), nlri=NLRI, flags=0xc0) + E), 'RFC 4760 §7', 'ebgp', 'ok', 'accept ' + P4, 'a (wrongly transitive) IPv4 multicast MP_REACH_NLRI beside IPv4 NLRI: the route is accepted, the MP attribute is not passed on', [P4 + ' lacks-attribute 14'])
case('unknown-afi-safi', 'mp-reach-ipv6-not-negotiated', update(mp_reach(nlri=bytes([64]) + bytes.fromhex('fd00024400110000')) + MP_ATTRS, b''), 'RFC 4760 §7', 'ebgp-ipv4-only', 'ok', 'ignore', 'IPv6 MP_REACH_NLRI on a session that negotiated IPv4 unicast only', ['absent fd00:244:11::/64'])
case('unknown-afi-safi', 'route-refresh-ipv4-multicast', msg(5, struct.pack('!HBB', 1, 0, 2)), 'RFC 2918 §4', 'ebgp', 'ok', 'ignore', 'ROUTE-REFRESH for IPv4 multicast, a family not advertised')
case('unknown-afi-safi', 'route-refresh-unknown-subtype', msg(5, struct.pack('!HBB', 1, 3, 1)), 'RFC 7313 §5', 'ebgp', 'ok', 'ignore', 'ROUTE-REFRESH with message subtype 3')
case('route-refresh', 'borr-length-5', msg(5, struct.pack('!HBBB', 1, 1, 1, 0)), 'RFC 7313 §5', 'ebgp', 'ROUTE_REFRESH_INVALID_LENGTH SESSION_RESET', 'reset 7 1', 'BoRR of 5 octets')
case('route-refresh', 'route-refresh-length-3', msg(5, struct.pack('!HB', 1, 0)), 'RFC 7313 §5', 'ebgp', 'ROUTE_REFRESH_INVALID_LENGTH SESSION_RESET', 'reset 7 1', 'ROUTE-REFRESH of 3 octets')
case('route-refresh', 'route-refresh-with-orf-bytes', msg(5, struct.pack('!HBBB', 1, 0, 1, 0)), 'RFC 5291 (not negotiated), RFC 7313 §5', 'ebgp', 'ok', 'refresh ipv4-unicast', 'a normal ROUTE-REFRESH with one trailing ORF octet: served')

def write():
    import shutil
    if os.path.isdir(out): shutil.rmtree(out)
    for (family, name), (b, rfc, frm, codec, wire, what, observe, report) in cases.items():
        d = os.path.join(out, family)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + '.hex'), 'w') as f:
            f.write('# %s; constructed by bgp/scripts/make-corpus.py\n' % what)
            f.write('# rfc: %s\n# from: %s\n# codec: %s\n' % (rfc, frm, codec))
            if report: f.write('# report: %s\n' % report)
            f.write('# wire: %s\n' % wire)
            for o in observe: f.write('# observe: %s\n' % o)
            f.write(b[:19].hex() + '  # header\n')
            body = b[19:]
            for j in range(0, len(body), 32): f.write(body[j:j + 32].hex() + '\n')
    print(len(cases), 'cases in', len({f for f, _ in cases}), 'families')

write()
