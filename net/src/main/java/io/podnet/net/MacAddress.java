package io.podnet.net;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** A 48-bit Ethernet MAC address. */
public record MacAddress(long value) {

    public MacAddress {
        if ((value >>> 48) != 0) throw new IllegalArgumentException("MAC address out of range");
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators), case-insensitive. */
    public static MacAddress parse(String text) {
        if (text == null || !text.strip().matches("(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        return new MacAddress(Long.parseLong(text.strip().replaceAll("[:-]", ""), 16));
    }

    public static MacAddress ofBytes(byte[] b) {
        if (b.length != 6) throw new IllegalArgumentException("MAC address must be 6 bytes, got " + b.length);
        long v = 0;
        for (byte x : b) v = (v << 8) | (x & 0xff);
        return new MacAddress(v);
    }

    /** A random unicast, locally administered address (like the kernel's {@code eth_random_addr}). */
    public static MacAddress random(RandomGenerator rnd) {
        long v = rnd.nextLong() & 0xffff_ffff_ffffL;
        v &= ~(1L << 40); // clear multicast bit
        v |= 1L << 41;    // set locally administered bit
        return new MacAddress(v);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) (value >>> (40 - 8 * i));
        return b;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }
}
