package io.podnet.bgp.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.podnet.net.IpPrefix;
import io.podnet.testkit.HexFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each file of {@code captures/bgp/malformed} names its defect and the exact error and treatment expected. */
class MalformedCorpusTest {

    static Stream<String> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(MalformedCorpusTest.class.getClassLoader().getResource("captures/bgp/malformed").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> "captures/bgp/malformed/" + p.getFileName()).sorted().toList().stream();
        }
    }

    private static String[] expectation(String resource) throws IOException {
        try (InputStream in = MalformedCorpusTest.class.getClassLoader().getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String line = text.lines().filter(l -> l.startsWith("# expect:")).findFirst().orElseThrow();
            return line.substring("# expect:".length()).strip().split("\\s+");
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void decoderReportsTheExactErrorAndTreatment(String resource) throws IOException {
        String[] expect = expectation(resource);
        var e = catchThrowableOfType(MalformedMessageException.class,
                () -> MessageCodec.decode(HexFixture.load(resource), CodecOptions.DEFAULT));
        assertThat(e).as(resource).isNotNull();
        assertThat(e.error()).as(resource).isEqualTo(BgpError.valueOf(expect[0]));
        assertThat(e.handling()).as(resource).isEqualTo(ErrorHandling.valueOf(expect[1]));
    }

    @Test
    void treatAsWithdrawSalvagesAWithdrawalOfEveryAnnouncedPrefix() {
        var e = catchThrowableOfType(MalformedMessageException.class, () -> MessageCodec.decode(
                HexFixture.load("captures/bgp/malformed/update-origin-value-3.hex"), CodecOptions.DEFAULT));
        assertThat(e.salvaged()).get().satisfies(u -> {
            assertThat(u.withdrawn()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
            assertThat(u.nlri()).isEmpty();
        });
    }

    @Test
    void attributeDiscardSalvagesTheUpdateWithoutTheBadAttribute() {
        var e = catchThrowableOfType(MalformedMessageException.class, () -> MessageCodec.decode(
                HexFixture.load("captures/bgp/malformed/update-atomic-aggregate-with-value.hex"), CodecOptions.DEFAULT));
        assertThat(e.salvaged()).get().satisfies(u -> {
            assertThat(u.nlri()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
            assertThat(u.attribute(PathAttribute.AtomicAggregate.class)).isEmpty();
        });
    }

    @Test
    void notificationForABadLengthCarriesTheLengthField() {
        var e = catchThrowableOfType(MalformedMessageException.class, () -> MessageCodec.decode(
                HexFixture.load("captures/bgp/malformed/keepalive-with-body.hex"), CodecOptions.DEFAULT));
        assertThat(e.toNotification()).isEqualTo(new NotificationMessage(BgpError.BAD_MESSAGE_LENGTH, new byte[] {0, 20}));
    }
}
