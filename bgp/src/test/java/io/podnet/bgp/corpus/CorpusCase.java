package io.podnet.bgp.corpus;

import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.CodecOptions;
import io.podnet.bgp.message.ErrorHandling;
import io.podnet.testkit.HexFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One file of {@code captures/bgp/corpus/<family>/<case>.hex} (written by {@code bgp/scripts/make-corpus.py}):
 * the message bytes and what the decoder and a running speaker must do with them.
 *
 * @param resource  class-path name of the file
 * @param family    the corpus family (directory)
 * @param from      which neighbour sends it (ebgp, ibgp, ebgp-2octet, ebgp-multihop, ebgp-ipv4-only, observer)
 * @param codec     the decoder's expected error and treatment; empty when the message decodes
 * @param report    what the running speaker reports for it (the codec's verdict unless the session finds it)
 * @param wire      the reaction of a running speaker, split into words (e.g. {@code [reset, 3, 1]})
 * @param observe   extra checks on what the observer (or, prefixed "ibgp", the iBGP sender) holds afterwards
 * @param bytes     the message
 */
public record CorpusCase(String resource, String family, String from, Optional<Verdict> codec, Optional<Verdict> report,
                         List<String> wire, List<List<String>> observe, byte[] bytes) {
    /** An error and its RFC 7606 treatment. */
    public record Verdict(BgpError error, ErrorHandling handling) {
        static Optional<Verdict> parse(String s) {
            if (s.equals("ok")) return Optional.empty();
            String[] f = s.split("\\s+");
            return Optional.of(new Verdict(BgpError.valueOf(f[0]), ErrorHandling.valueOf(f[1])));
        }
    }

    public static final String ROOT = "captures/bgp/corpus";

    /** Every case, sorted by file name. */
    public static List<CorpusCase> all() {
        try {
            Path dir = Path.of(CorpusCase.class.getClassLoader().getResource(ROOT).toURI());
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(p -> p.toString().endsWith(".hex")).sorted()
                        .map(p -> load(ROOT + "/" + dir.relativize(p).toString().replace('\\', '/'))).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CorpusCase load(String resource) {
        String text;
        try (var in = CorpusCase.class.getClassLoader().getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String from = header(text, "from").orElseThrow(() -> new IllegalArgumentException(resource + ": no # from:"));
        Optional<Verdict> codec = Verdict.parse(header(text, "codec").orElseThrow());
        Optional<Verdict> report = header(text, "report").flatMap(Verdict::parse).or(() -> codec);
        List<String> wire = Arrays.asList(header(text, "wire").orElseThrow().split("\\s+"));
        List<List<String>> observe = new ArrayList<>();
        text.lines().filter(l -> l.startsWith("# observe:"))
                .forEach(l -> observe.add(Arrays.asList(l.substring("# observe:".length()).strip().split("\\s+"))));
        String family = resource.substring(ROOT.length() + 1, resource.lastIndexOf('/'));
        return new CorpusCase(resource, family, from, codec, report, wire, observe, HexFixture.parse(text));
    }

    private static Optional<String> header(String text, String key) {
        return text.lines().filter(l -> l.startsWith("# " + key + ":")).findFirst()
                .map(l -> l.substring(key.length() + 3).strip());
    }

    /** The decoder options for a message from this sender (after OPEN; OPEN itself ignores them). */
    public CodecOptions options() {
        return switch (from) {
            case "ibgp" -> new CodecOptions(true, false, false);
            case "ebgp-2octet" -> new CodecOptions(false, false, true);
            default -> new CodecOptions(true, false, true);
        };
    }

    public String name() { return resource.substring(ROOT.length() + 1); }

    @Override
    public String toString() { return name(); }
}
