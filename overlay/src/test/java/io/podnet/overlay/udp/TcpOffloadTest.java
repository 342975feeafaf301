package io.podnet.overlay.udp;

import static io.podnet.overlay.udp.TcpPackets.ipChecksumOk;
import static io.podnet.overlay.udp.TcpPackets.l4ChecksumOk;
import static io.podnet.overlay.udp.TcpPackets.tcp;
import static io.podnet.overlay.udp.TcpPackets.timestamps;
import static io.podnet.overlay.udp.TcpPackets.u16;
import static io.podnet.overlay.udp.TcpPackets.u32;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bytes in, bytes out: userspace TSO ({@link TcpSegmenter}) and GRO ({@link TcpCoalescer}) and their checksums. */
class TcpOffloadTest {
    private static final int ACK = TcpSegmenter.ACK;
    private static final int PSH = TcpSegmenter.PSH;
    private final Arena arena = Arena.ofConfined();
    private final Random random = new Random(4711);

    @AfterEach
    void close() {
        arena.close();
    }

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Segments a super-packet with {@link TcpSegmenter}, each segment as its own byte array. */
    static List<byte[]> segment(byte[] superPacket, int mss) {
        MemorySegment p = MemorySegment.ofArray(superPacket);
        int thl = TcpSegmenter.tcpHeaderLength(p, 0, superPacket.length);
        assertThat(thl).isPositive();
        int ihl = TcpSegmenter.ipHeaderLength(p, 0);
        int payload = TcpSegmenter.totalLength(p, 0) - ihl - thl;
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < TcpSegmenter.segmentCount(payload, mss); k++) {
            byte[] hdr = new byte[TcpSegmenter.MAX_HEADER];
            int hl = TcpSegmenter.writeSegmentHeader(p, 0, ihl, thl, payload, mss, k, MemorySegment.ofArray(hdr), 0);
            int from = TcpSegmenter.payloadOffset(ihl + thl, mss, k);
            int n = TcpSegmenter.payloadLength(payload, mss, k);
            byte[] seg = Arrays.copyOf(hdr, hl + n);
            System.arraycopy(superPacket, from, seg, hl, n);
            out.add(seg);
        }
        return out;
    }

    /** Collects the coalescer's output packets, each as vnet header + packet bytes. */
    static final class Collect implements TcpCoalescer.Sink {
        final List<byte[]> packets = new ArrayList<>();
        private ByteArrayOutputStream cur;

        @Override public void begin(MemorySegment vnetHdr) {
            cur = new ByteArrayOutputStream();
            cur.writeBytes(vnetHdr.asSlice(0, VirtioNetHdr.SIZE).toArray(ValueLayout.JAVA_BYTE));
        }

        @Override public void piece(MemorySegment s, long off, int len) {
            cur.writeBytes(s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
        }

        @Override public void end() {
            packets.add(cur.toByteArray());
        }
    }

    private List<byte[]> coalesce(List<byte[]> in) {
        TcpCoalescer c = new TcpCoalescer(arena, 256);
        for (byte[] p : in) assertThat(c.add(MemorySegment.ofArray(p.clone()), 0, p.length)).isTrue();
        Collect sink = new Collect();
        c.flush(sink);
        return sink.packets;
    }

    /** What the kernel does with a NEEDS_CSUM packet: strips the vnet header and completes the checksum. */
    private static byte[] kernelFinish(byte[] withHdr) {
        MemorySegment h = MemorySegment.ofArray(withHdr);
        byte[] p = Arrays.copyOfRange(withHdr, VirtioNetHdr.SIZE, withHdr.length);
        if ((VirtioNetHdr.flags(h, 0) & VirtioNetHdr.F_NEEDS_CSUM) != 0) {
            int start = VirtioNetHdr.csumStart(h, 0);
            int at = start + VirtioNetHdr.csumOffset(h, 0);
            int c = ~TcpPackets.sum(p, start, p.length - start, 0) & 0xffff;
            p[at] = (byte) (c >> 8);
            p[at + 1] = (byte) c;
        }
        return p;
    }

    @Test
    void segmentsASuperPacketIntoMssSizedSegmentsWithValidChecksums() {
        byte[] sp = tcp(new byte[0], timestamps(1, 2), ACK | PSH, 0xfffff000L, 0xfffe, payload(10_000));
        List<byte[]> segs = segment(sp, 1408);
        assertThat(segs).hasSize(8); // 7 × 1408 + 144
        long seq = 0xfffff000L;
        for (int k = 0; k < segs.size(); k++) {
            byte[] s = segs.get(k);
            int n = k < 7 ? 1408 : 10_000 - 7 * 1408;
            assertThat(s.length).isEqualTo(20 + 32 + n);
            assertThat(u16(s, 2)).isEqualTo(s.length);
            assertThat(u16(s, 4)).as("ip id wraps").isEqualTo((0xfffe + k) & 0xffff);
            assertThat(u32(s, 24)).as("seq wraps").isEqualTo(seq & 0xffffffffL);
            assertThat(s[33] & 0xff).isEqualTo(k < 7 ? ACK : ACK | PSH);
            assertThat(ipChecksumOk(s)).isTrue();
            assertThat(l4ChecksumOk(s)).isTrue();
            assertThat(Arrays.copyOfRange(s, 40, 52)).isEqualTo(timestamps(1, 2));
            assertThat(Arrays.copyOfRange(s, 52, s.length)).isEqualTo(Arrays.copyOfRange(sp, 52 + k * 1408, 52 + k * 1408 + n));
            seq += n;
        }
    }

    @Test
    void roundTripSuperPacketToSegmentsToCoalescedIsTheOriginal() {
        for (int size : new int[] {1420 * 2, 1420 * 45, 65_535 - 52, 3000, 1421}) {
            byte[] sp = tcp(new byte[0], timestamps(7, 9), ACK | PSH, 123456789L, 42, payload(size));
            List<byte[]> out = coalesce(segment(sp, 1420));
            assertThat(out).as("size " + size).hasSize(1);
            MemorySegment h = MemorySegment.ofArray(out.getFirst());
            assertThat(VirtioNetHdr.gsoType(h, 0)).isEqualTo(VirtioNetHdr.GSO_TCPV4);
            assertThat(VirtioNetHdr.gsoSize(h, 0)).isEqualTo(1420);
            assertThat(VirtioNetHdr.hdrLen(h, 0)).isEqualTo(52);
            assertThat(VirtioNetHdr.csumStart(h, 0)).isEqualTo(20);
            assertThat(VirtioNetHdr.csumOffset(h, 0)).isEqualTo(16);
            assertThat(kernelFinish(out.getFirst())).as("size " + size).isEqualTo(sp);
        }
    }

    @Test
    void finOnlyOnTheLastSegmentAndCwrOnlyOnTheFirst() {
        byte[] sp = tcp(new byte[0], new byte[0], ACK | PSH | TcpSegmenter.FIN | TcpSegmenter.CWR, 1, 1, payload(3000));
        List<byte[]> segs = segment(sp, 1000);
        assertThat(segs).extracting(s -> s[33] & 0xff).containsExactly(
                ACK | TcpSegmenter.CWR, ACK, ACK | PSH | TcpSegmenter.FIN);
        segs.forEach(s -> assertThat(l4ChecksumOk(s)).isTrue());
        // FIN and CWR segments are written as they are, the middle one alone too: nothing to join
        List<byte[]> out = coalesce(segs);
        assertThat(out).hasSize(3);
        for (int k = 0; k < 3; k++) assertThat(kernelFinish(out.get(k))).isEqualTo(segs.get(k));
    }

    @Test
    void ipv4OptionsAreCopiedIntoEverySegmentButSuchSegmentsAreNotCoalesced() {
        byte[] ipOpts = {1, 1, 1, 0}; // NOP NOP NOP EOL
        byte[] sp = tcp(ipOpts, timestamps(3, 4), ACK, 5, 5, payload(2500));
        List<byte[]> segs = segment(sp, 1200);
        assertThat(segs).hasSize(3);
        for (byte[] s : segs) {
            assertThat(s[0]).isEqualTo((byte) 0x46);
            assertThat(Arrays.copyOfRange(s, 20, 24)).isEqualTo(ipOpts);
            assertThat(ipChecksumOk(s)).isTrue();
            assertThat(l4ChecksumOk(s)).isTrue();
        }
        List<byte[]> out = coalesce(segs);
        assertThat(out).hasSize(3);
        for (int k = 0; k < 3; k++) {
            assertThat(Arrays.copyOf(out.get(k), 10)).isEqualTo(new byte[10]);
            assertThat(kernelFinish(out.get(k))).isEqualTo(segs.get(k));
        }
    }

    @Test
    void exactMultipleOfMssAndASinglePacketSuperPacket() {
        byte[] sp = tcp(new byte[0], new byte[0], ACK, 77, 3, payload(4 * 500));
        assertThat(segment(sp, 500)).hasSize(4).allSatisfy(s -> assertThat(s.length).isEqualTo(540));
        assertThat(segment(sp, 4000)).hasSize(1).first().isEqualTo(sp);
    }

    @Test
    void completesAPartialUdpChecksum() {
        for (int n : new int[] {0, 1, 17, 1000, 1001}) {
            byte[] p = TcpPackets.udpPartial(payload(n));
            assertThat(TcpSegmenter.completeChecksum(MemorySegment.ofArray(p), 0, p.length, 20, 6)).isTrue();
            assertThat(l4ChecksumOk(p)).as("payload " + n).isTrue();
        }
        byte[] p = TcpPackets.udpPartial(payload(4));
        assertThat(TcpSegmenter.completeChecksum(MemorySegment.ofArray(p), 0, p.length, 20, 20)).isFalse();
    }

    @Test
    void checksumMatchesTheReferenceOnRandomDataAtEveryLengthAndOffset() {
        for (int i = 0; i < 2000; i++) {
            byte[] b = payload(1 + random.nextInt(3000));
            int off = random.nextInt(b.length);
            int len = random.nextInt(b.length - off + 1);
            int got = Checksum.fold(Checksum.add(MemorySegment.ofArray(b), off, len, 0));
            int want = len == 0 ? 0 : TcpPackets.sum(b, off, len, 0);
            // 0 and 0xffff are the same number in one's complement; the fold never yields 0xffff from 0 though
            assertThat(got).isEqualTo(want);
        }
    }

    @Test
    void interleavedFlowsCoalesceSeparatelyAndKeepTheirOrder() {
        byte[] a = tcp(new byte[0], timestamps(1, 1), ACK, 1000, 10, payload(4000));
        byte[] b = tcp(new byte[0], timestamps(1, 1), ACK, 5000, 20, payload(3000));
        b[21] = 99; // other source port: another flow
        TcpPackets.fixChecksums(b);
        List<byte[]> sa = segment(a, 1000);
        List<byte[]> sb = segment(b, 1000);
        List<byte[]> mixed = List.of(sa.get(0), sb.get(0), sa.get(1), sb.get(1), sa.get(2), sa.get(3), sb.get(2));
        List<byte[]> out = coalesce(mixed);
        assertThat(out).hasSize(2);
        assertThat(kernelFinish(out.get(0))).isEqualTo(a);
        assertThat(kernelFinish(out.get(1))).isEqualTo(b);
    }

    @Test
    void aGapABadChecksumOrAPureAckSplitsTheGroupInOrder() {
        byte[] sp = tcp(new byte[0], new byte[0], ACK, 1, 1, payload(6000));
        List<byte[]> s = new ArrayList<>(segment(sp, 1000));
        // gap: segment 2 missing → [0,1] then [3,4,5]
        List<byte[]> gap = coalesce(List.of(s.get(0), s.get(1), s.get(3), s.get(4), s.get(5)));
        assertThat(gap).hasSize(2);
        assertThat(TcpPackets.u32(kernelFinish(gap.get(1)), 24)).isEqualTo(1 + 3000);
        // corrupt segment 3's payload: it is written alone (the kernel drops it) and the group splits
        byte[] bad = s.get(3).clone();
        bad[100] ^= 1;
        List<byte[]> corrupted = coalesce(List.of(s.get(0), s.get(1), s.get(2), bad, s.get(4), s.get(5)));
        assertThat(corrupted).hasSize(3);
        assertThat(kernelFinish(corrupted.get(1))).isEqualTo(bad);
        // a packet without payload of the same flow goes between, not before the rest
        byte[] pureAck = tcp(new byte[0], new byte[0], ACK, 3001, 4, new byte[0]);
        List<byte[]> acked = coalesce(List.of(s.get(0), s.get(1), s.get(2), pureAck, s.get(3), s.get(4)));
        assertThat(acked).hasSize(3);
        assertThat(kernelFinish(acked.get(1))).isEqualTo(pureAck);
    }

    @Test
    void nonTcpPacketsPassThroughWithAZeroHeader() {
        byte[] udp = TcpPackets.udpPartial(payload(100));
        List<byte[]> out = coalesce(List.of(udp, udp));
        assertThat(out).hasSize(2).allSatisfy(o -> {
            assertThat(Arrays.copyOf(o, 10)).isEqualTo(new byte[10]);
            assertThat(Arrays.copyOfRange(o, 10, o.length)).isEqualTo(udp);
        });
    }

    @Test
    void stopsAtSixtyFourSegmentsAndJoinsAFull60KSuperPacket() {
        byte[] sp = tcp(new byte[0], new byte[0], ACK, 1, 1, payload(65 * 100));
        List<byte[]> out = coalesce(segment(sp, 100));
        assertThat(out).hasSize(2);
        assertThat(TcpPackets.u16(kernelFinish(out.get(0)), 2)).isEqualTo(40 + 64 * 100);
        // 41 full segments of 1460 and a short one: 60,000 payload bytes, all in one super-packet
        byte[] p1 = tcp(new byte[0], new byte[0], ACK, 1, 1, payload(60_000));
        List<byte[]> segs = segment(p1, 1460);
        assertThat(segs).hasSize(42);
        List<byte[]> merged = coalesce(segs);
        assertThat(merged).hasSize(1);
        assertThat(kernelFinish(merged.getFirst())).isEqualTo(p1);
    }
}
