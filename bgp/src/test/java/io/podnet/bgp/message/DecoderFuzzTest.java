package io.podnet.bgp.message;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.podnet.testkit.HexFixture;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the decoder with jqwik: random bytes behind a valid header, and real captures with random bytes
 * flipped, truncated or extended. The decoder may only return a message or throw MalformedMessageException.
 */
class DecoderFuzzTest {
    private static final List<byte[]> SEEDS = java.util.stream.Stream.concat(java.util.stream.Stream.of(
            HexFixture.load("captures/bgp/gobgp-update-ebgp-egp-aggregator-community.hex"),
            HexFixture.load("captures/bgp/bird-update-ebgp-ipv6-link-local-next-hop.hex"),
            HexFixture.load("captures/bgp/bird-update-ibgp-med.hex"),
            HexFixture.load("captures/bgp/frr-open-many-capabilities.hex"),
            HexFixture.load("captures/bgp/bird-open-ibgp.hex"),
            HexFixture.load("captures/bgp/frr-update-ipv6-v4-mapped-next-hop.hex")),
            // the corpus's UPDATEs too: mutations of edge cases reach the new attribute codecs
            io.podnet.bgp.corpus.CorpusCase.all().stream().filter(c -> c.bytes().length > 23 && c.bytes()[18] == 2)
                    .map(io.podnet.bgp.corpus.CorpusCase::bytes)).toList();

    private static void decodeQuietly(byte[] b, CodecOptions o) {
        assertThatCode(() -> {
            try {
                MessageCodec.decode(b, o);
            } catch (MalformedMessageException expected) {
                // the one allowed outcome besides success
            }
        }).doesNotThrowAnyException();
    }

    @Property(tries = 3000)
    void randomBodiesBehindAValidHeaderNeverEscapeTheTypedError(
            @ForAll("types") int type, @ForAll byte[] body, @ForAll boolean fourOctet, @ForAll boolean external) {
        int len = Math.min(body.length, 4096 - 19);
        byte[] b = new byte[19 + len];
        java.util.Arrays.fill(b, 0, 16, (byte) 0xff);
        b[16] = (byte) (b.length >>> 8);
        b[17] = (byte) b.length;
        b[18] = (byte) type;
        System.arraycopy(body, 0, b, 19, len);
        decodeQuietly(b, new CodecOptions(fourOctet, false, external));
    }

    @Property(tries = 5000)
    void mutatedCapturesNeverEscapeTheTypedError(@ForAll("seedIndex") int seed, @ForAll long random, @ForAll boolean fourOctet,
                                                 @ForAll boolean external) {
        Random r = new Random(random);
        byte[] src = SEEDS.get(seed);
        byte[] b = src.clone();
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = 19 + r.nextInt(b.length - 19);
            b[at] = (byte) r.nextInt(256);
        }
        if (r.nextInt(4) == 0) {
            b = java.util.Arrays.copyOf(b, 19 + r.nextInt(b.length - 18));
            b[16] = (byte) (b.length >>> 8);
            b[17] = (byte) b.length;
        }
        decodeQuietly(b, new CodecOptions(fourOctet, false, external));
    }

    @Provide
    Arbitrary<Integer> types() { return Arbitraries.integers().between(1, 5); }

    @Provide
    Arbitrary<Integer> seedIndex() { return Arbitraries.integers().between(0, SEEDS.size() - 1); }
}
