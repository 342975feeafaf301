package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * A UDP packet 192.168.0.1 → 192.168.0.199, TTL 64, header checksum 0xb861 (the worked example of the
     * IPv4 header checksum in Wikipedia's "Internet checksum" article), followed by 8 payload bytes.
     */
    private static final String UDP_TTL64 = "450000730000400040 11 b861 c0a80001 c0a800c7".replace(" ", "")
            + "d4311f9000730000";

    private static byte[] hex(String s) { return HEX.parseHex(s.replace(" ", "")); }

    private static MemorySegment seg(byte[] b) { return MemorySegment.ofArray(b); }

    /** Pads a header-only fixture to its declared total length. */
    private static byte[] packet(String headerAndPayload) {
        byte[] head = hex(headerAndPayload);
        int total = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        byte[] p = new byte[Math.max(total, head.length)];
        System.arraycopy(head, 0, p, 0, head.length);
        return p;
    }

    @Test
    void decrementsTtlAndPatchesTheChecksumIncrementally() {
        byte[] p = packet(UDP_TTL64);
        assertThat(Ipv4Packet.decrementTtl(seg(p))).isEqualTo(Ipv4Packet.TTL_OK);
        // TTL 0x40 → 0x3f; the word TTL|proto drops by 0x0100, so the checksum rises by 0x0100
        assertThat(HEX.formatHex(p, 0, 20)).isEqualTo("4500007300004000" + "3f11b961" + "c0a80001c0a800c7");
        assertThat(Ipv4Packet.internetChecksum(seg(p), 0, 20)).isZero();
    }

    @Test
    void incrementalChecksumEqualsAFullRecomputationOnRandomHeaders() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[20];
            rnd.nextBytes(p);
            p[0] = 0x45;
            p[2] = 0;
            p[3] = 20;
            p[8] = (byte) (2 + rnd.nextInt(254));
            if (i % 50 == 0) p[8] = 2;
            setChecksum(p);
            Ipv4Packet.decrementTtl(seg(p));
            byte[] expect = p.clone();
            setChecksum(expect);
            assertThat(HEX.formatHex(p)).isEqualTo(HEX.formatHex(expect));
        }
    }

    @Test
    void checksumWrapsAroundAtTheEdges() {
        for (int target : new int[] {0x0000, 0x00ff, 0x0100, 0xfeff, 0xffff}) {
            byte[] p = withChecksum(target);
            if (p == null) continue; // 0xffff needs a header summing to -0, which no identification value gives
            Ipv4Packet.decrementTtl(seg(p));
            assertThat(Ipv4Packet.internetChecksum(seg(p), 0, 20)).as("start checksum %04x", target).isZero();
        }
    }

    /** A header whose identification field is chosen so that its checksum is {@code target}, or null. */
    private static byte[] withChecksum(int target) {
        byte[] p = hex("4500001400000000 4011 0000 0a000001 0a000002");
        for (int id = 0; id < 0x10000; id++) {
            p[4] = (byte) (id >>> 8);
            p[5] = (byte) id;
            setChecksum(p);
            if ((((p[10] & 0xff) << 8) | (p[11] & 0xff)) == target) return p;
        }
        return null;
    }

    @Test
    void ttlOfOneOrZeroExpiresAndLeavesThePacketAlone() {
        for (int ttl : new int[] {0, 1}) {
            byte[] p = packet(UDP_TTL64);
            p[8] = (byte) ttl;
            byte[] before = p.clone();
            assertThat(Ipv4Packet.decrementTtl(seg(p))).isEqualTo(Ipv4Packet.TTL_EXPIRED);
            assertThat(p).isEqualTo(before);
        }
    }

    @Test
    void readsHeaderFields() {
        MemorySegment s = seg(packet(UDP_TTL64));
        assertThat(Ipv4Packet.isValidIpv4(s, 0x73)).isTrue();
        assertThat(Ipv4Packet.destination(s)).isEqualTo(0xc0a800c7);
        assertThat(Ipv4Packet.source(s)).isEqualTo(0xc0a80001);
        assertThat(Ipv4Packet.protocol(s)).isEqualTo(17);
        assertThat(Ipv4Packet.ttl(s)).isEqualTo(64);
        assertThat(Ipv4Packet.version(s, 0x73)).isEqualTo(4);
    }

    @Test
    void rejectsWhatIsNotAWholeIpv4Packet() {
        byte[] p = packet(UDP_TTL64);
        assertThat(Ipv4Packet.isValidIpv4(seg(p), 0x72)).as("shorter than total length").isFalse();
        assertThat(Ipv4Packet.isValidIpv4(seg(p), 19)).as("shorter than a header").isFalse();
        byte[] v6 = hex("6000000000083a40" + "fe800000000000000000000000000001" + "ff020000000000000000000000000002");
        assertThat(Ipv4Packet.isValidIpv4(seg(v6), v6.length)).as("IPv6").isFalse();
        byte[] ihl4 = p.clone();
        ihl4[0] = 0x44;
        assertThat(Ipv4Packet.isValidIpv4(seg(ihl4), ihl4.length)).as("IHL below 5").isFalse();
        byte[] ihl15 = p.clone();
        ihl15[0] = 0x4f;
        ihl15[3] = 40;
        assertThat(Ipv4Packet.isValidIpv4(seg(ihl15), 40)).as("header longer than packet").isFalse();
        assertThat(Ipv4Packet.version(seg(p), 0)).isEqualTo(-1);
    }

    @Test
    void buildsNetUnreachableQuotingTheOffendersHeaderAndEightBytes() {
        // ICMP echo request 10.5.1.0 → 10.5.9.1, id 0x1234 seq 1, 56 bytes of data
        byte[] echo = packet("45000054abcd40004001 0000 0a050100 0a050901" + "08000000123400010102030405060708");
        setChecksum(echo);
        byte[] out = new byte[128];
        int len = Ipv4Packet.writeNetUnreachable(seg(echo), seg(out));
        assertThat(len).isEqualTo(20 + 8 + 28);
        String expectedHeader = "45000038" + "00000000" + "4001" + "xxxx" + "0a050901" + "0a050100";
        String got = HEX.formatHex(out, 0, 20);
        assertThat(got.substring(0, 20) + "xxxx" + got.substring(24)).isEqualTo(expectedHeader);
        assertThat(Ipv4Packet.internetChecksum(seg(out), 0, 20)).as("IP checksum").isZero();
        assertThat(HEX.formatHex(out, 20, 28)).startsWith("0300").endsWith("00000000");
        assertThat(Ipv4Packet.internetChecksum(seg(out), 20, len - 20)).as("ICMP checksum").isZero();
        assertThat(HEX.formatHex(out, 28, len)).isEqualTo(HEX.formatHex(echo, 0, 28));
        assertThat(Ipv4Packet.isValidIpv4(seg(out), len)).isTrue();
    }

    @Test
    void quotesNoMoreThanTheOffenderHas() {
        byte[] tiny = packet("45000018000000004011 0000 0a050100 0a050901" + "00000000");
        setChecksum(tiny);
        byte[] out = new byte[128];
        assertThat(Ipv4Packet.writeNetUnreachable(seg(tiny), seg(out))).isEqualTo(20 + 8 + 24);
    }

    @Test
    void answersNeitherIcmpErrorsNorFragmentsNorMulticast() {
        byte[] echo = packet("45000054abcd40004001 0000 0a050100 0a050901" + "0800000012340001");
        assertThat(Ipv4Packet.mayAnswerWithIcmpError(seg(echo))).isTrue();
        byte[] unreachable = packet("45000054abcd40004001 0000 0a050100 0a050901" + "0300000000000000");
        assertThat(Ipv4Packet.mayAnswerWithIcmpError(seg(unreachable))).isFalse();
        byte[] fragment = packet("45000054abcd00104011 0000 0a050100 0a050901" + "0000000000000000");
        assertThat(Ipv4Packet.mayAnswerWithIcmpError(seg(fragment))).isFalse();
        byte[] multicast = packet("45000054abcd40004011 0000 0a050100 e0000005" + "0000000000000000");
        assertThat(Ipv4Packet.mayAnswerWithIcmpError(seg(multicast))).isFalse();
        byte[] udp = packet("45000054abcd40004011 0000 0a050100 0a050901" + "0000000000000000");
        assertThat(Ipv4Packet.mayAnswerWithIcmpError(seg(udp))).isTrue();
    }

    private static void setChecksum(byte[] p) {
        int ihl = (p[0] & 0x0f) * 4;
        p[10] = 0;
        p[11] = 0;
        int c = Ipv4Packet.internetChecksum(seg(p), 0, ihl);
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
    }
}
