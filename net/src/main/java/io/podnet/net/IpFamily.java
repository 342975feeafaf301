package io.podnet.net;

/** An address family. {@link #bits()} is the address width; {@link #af()} is the Linux AF_* number. */
public enum IpFamily {
    V4(32, 2), V6(128, 10);

    private final int bits;
    private final int af;

    IpFamily(int bits, int af) {
        this.bits = bits;
        this.af = af;
    }

    public int bits() { return bits; }

    public int bytes() { return bits / 8; }

    /** The Linux address family constant: AF_INET (2) or AF_INET6 (10). */
    public int af() { return af; }

    public static IpFamily ofAf(int af) {
        return switch (af) {
            case 2 -> V4;
            case 10 -> V6;
            default -> throw new IllegalArgumentException("not an IP address family: " + af);
        };
    }
}
