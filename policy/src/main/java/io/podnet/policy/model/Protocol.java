package io.podnet.policy.model;

import java.util.Locale;

/**
 * An IP protocol number (open: any 1–255) with the names Calico and Kubernetes use for the common ones.
 * {@link #toString()} is the API spelling ({@code TCP}, {@code ICMPv6}, or the number).
 */
public record Protocol(int number) {
    public static final Protocol ICMP = new Protocol(1);
    public static final Protocol TCP = new Protocol(6);
    public static final Protocol UDP = new Protocol(17);
    public static final Protocol ICMPV6 = new Protocol(58);
    public static final Protocol SCTP = new Protocol(132);
    public static final Protocol UDPLITE = new Protocol(136);

    public Protocol {
        if (number < 1 || number > 255) throw new IllegalArgumentException("protocol number must be 1-255: " + number);
    }

    /** {@code TCP}, {@code udp}, {@code ICMPv6}, ... (any case) or a number 1–255; null if neither. */
    public static Protocol parse(String text) {
        if (text == null) return null;
        switch (text.toUpperCase(Locale.ROOT)) {
            case "TCP": return TCP;
            case "UDP": return UDP;
            case "ICMP": return ICMP;
            case "ICMPV6": return ICMPV6;
            case "SCTP": return SCTP;
            case "UDPLITE": return UDPLITE;
            default:
        }
        if (!text.matches("\\d{1,3}")) return null;
        int n = Integer.parseInt(text);
        return n >= 1 && n <= 255 ? new Protocol(n) : null;
    }

    /** True for the protocols with ports (TCP, UDP, SCTP, UDP-Lite). */
    public boolean hasPorts() {
        return number == 6 || number == 17 || number == 132 || number == 136;
    }

    /** The name nft uses in {@code meta l4proto} and as a header keyword ({@code tcp}, {@code ipv6-icmp}, ...). */
    public String nftName() {
        return switch (number) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "ipv6-icmp";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> Integer.toString(number);
        };
    }

    @Override
    public String toString() {
        return switch (number) {
            case 1 -> "ICMP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 58 -> "ICMPv6";
            case 132 -> "SCTP";
            case 136 -> "UDPLite";
            default -> Integer.toString(number);
        };
    }
}
