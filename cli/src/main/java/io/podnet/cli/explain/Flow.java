package io.podnet.cli.explain;

import io.podnet.net.IpAddress;

/**
 * The traffic to explain: from {@code src} to {@code dst}, one protocol and destination port (ICMP: an echo
 * request), packets of {@code size} bytes (the IP packet, headers included) with or without DF.
 */
public record Flow(IpAddress src, IpAddress dst, Proto proto, int port, int size, boolean df) {
    /** The source port explain assumes for TCP and UDP (any ephemeral port behaves the same). */
    public static final int EPHEMERAL_PORT = 40000;

    /** The protocols explain follows. */
    public enum Proto {
        TCP(6), UDP(17), ICMP(1);

        public final int number;

        Proto(int n) { this.number = n; }
    }

    public Flow {
        if (src == null || dst == null) throw new IllegalArgumentException("flow needs a source and a destination");
        if (src.family() != dst.family()) throw new IllegalArgumentException("source " + src + " and destination " + dst + " are of different families");
        if (proto != Proto.ICMP && (port < 1 || port > 65535)) throw new IllegalArgumentException("--port must be 1..65535 for " + proto.name().toLowerCase());
        if (size < 28 || size > 65535) throw new IllegalArgumentException("--size must be 28..65535 bytes, not " + size);
    }

    public String describe() {
        String p = proto == Proto.ICMP ? "icmp echo" : proto.name().toLowerCase() + "/" + port;
        return src + " → " + dst + " " + p + ", " + size + "-byte packets" + (df ? " with DF" : "");
    }
}
