package io.podnet.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Loads an annotated hex capture from the test class path ({@code captures/<proto>/<name>.hex}).
 * Format: the first line is a {@code #} comment giving provenance; on every line, text after {@code #} is a
 * comment; the remaining characters are hex digits with optional whitespace.
 */
public final class HexFixture {
    private HexFixture() {}

    public static byte[] load(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no fixture on the class path: " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the provenance line (the first comment) of a fixture. */
    public static String provenance(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no fixture on the class path: " + resource);
            String first = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            return first.startsWith("#") ? first.substring(1).strip() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] parse(String text) {
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String data = hash >= 0 ? line.substring(0, hash) : line;
            hex.append(data.replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(hex.toString());
    }
}
